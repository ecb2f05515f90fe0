"""The published oracle files: found beside the checkout, or downloaded once and verified.

The authors' repository (https://github.com/LantaoYu/SeqGAN) has no licence, so the project
never ships its files. It looks for them in ``$SEQGAN_DATA_DIR`` (default
``../shared/data/seqgan`` beside the checkout); failing that, it downloads them from the
repository pinned at a commit into a user cache (``$SEQGAN_CACHE_DIR``, default Keras'
cache ``$KERAS_HOME`` or ``~/.keras``, subfolder ``seqgan``) and checks their SHA-256. A
download whose hash differs is deleted and refused; a cached file is reused without a
request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import socket

# A mirror with the repository's raw-file layout (``<mirror>/<commit>/<path>``) can stand in
# for GitHub, e.g. behind a proxy; the tests point it at a server on 127.0.0.1.
MIRROR_ENV = "SEQGAN_DOWNLOAD_MIRROR"
CACHE_ENV = "SEQGAN_CACHE_DIR"
DATA_DIR_ENV = "SEQGAN_DATA_DIR"
AUTHORS_RAW_FILES = "https://raw.githubusercontent.com/LantaoYu/SeqGAN"
DOWNLOAD_TIMEOUT_SECONDS = 60.0


@dataclasses.dataclass(frozen=True)
class PublishedFile:
    """One file of the authors' repository, pinned by commit and content hash."""

    filename: str
    commit: str
    path_in_repo: str
    sha256: str
    description: str
    flag: str  # the flag that names a local copy instead

    @property
    def url(self) -> str:
        mirror = os.environ.get(MIRROR_ENV) or AUTHORS_RAW_FILES
        return f"{mirror.rstrip('/')}/{self.commit}/{self.path_in_repo}"


ORACLE_PARAMS = PublishedFile(
    filename="target_params_py3.pkl",
    commit="aa79a6fff1c4127fd8d0e92df8b647cf48b30787",  # "add pickle file in python 3"
    path_in_repo="save/target_params_py3.pkl",
    sha256="5ac794a695dd6e0eb2bb689f3dfda55e4e0053e8c0399e6242630a95f1e60e8a",
    description="the published oracle's parameters",
    flag="--oracle_params",
)
# The paper-era code's training data (the current code samples its own from the oracle).
REAL_DATA = PublishedFile(
    filename="real_data.txt",
    commit="149b789b546f8a3d5dbb021561ac0ce5a3151040",
    path_in_repo="MLE_SeqGAN/save/real_data.txt",
    sha256="c0338b2bc2a29802154c81058b8aafed488ee55bda3aaba3849289c59a7a8e22",
    description="the paper-era training data",
    flag="--real_data",
)


class PublishedFileUnavailable(ValueError):
    """A published file is neither on disk nor downloadable; the message says what to do."""


def default_data_dir() -> pathlib.Path:
    """``$SEQGAN_DATA_DIR``, else ``../shared/data/seqgan`` beside the checkout."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "seqgan"


def cache_dir() -> pathlib.Path:
    """Where downloads are kept: ``$SEQGAN_CACHE_DIR``, else Keras' cache folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return pathlib.Path(env).expanduser()
    return pathlib.Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser()


def local_copy(published: PublishedFile) -> pathlib.Path | None:
    """The file in the data folder, if it is there (not hash-checked: a user's choice)."""
    path = default_data_dir() / published.filename
    return path if path.is_file() else None


def cached_path(published: PublishedFile) -> pathlib.Path:
    return cache_dir() / "seqgan" / published.filename


def locate(published: PublishedFile) -> pathlib.Path:
    """The data folder's copy, else the verified download (fetched on first use).

    Raises:
      PublishedFileUnavailable: offline with nothing cached, or a download whose hash
        differs (it is deleted); the message names the URL, the hash and the ways out.
    """
    found = local_copy(published)
    return found if found is not None else download(published)


def download(published: PublishedFile) -> pathlib.Path:
    """Downloads into the cache unless a copy with the right hash is there already."""
    from keras.utils import get_file  # imports TensorFlow: only when a download is due

    target = cached_path(published)
    # get_file silently falls back to /tmp/.keras when the cache folder does not exist yet.
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _socket_timeout(DOWNLOAD_TIMEOUT_SECONDS):
            path = get_file(
                fname=published.filename,
                origin=published.url,
                file_hash=published.sha256,
                hash_algorithm="sha256",
                cache_dir=str(cache_dir()),
                cache_subdir="seqgan",
            )
    except ValueError as error:  # get_file: the downloaded file's hash differs
        target.unlink(missing_ok=True)
        raise PublishedFileUnavailable(
            f"refused {published.url}: its SHA-256 is not the expected {published.sha256}, "
            f"so the download was deleted ({error}). {_ways_out(published)}"
        ) from None
    except Exception as error:  # noqa: BLE001 - get_file wraps every network failure
        target.unlink(missing_ok=True)
        raise PublishedFileUnavailable(
            f"cannot download {published.description} from {published.url} (expected "
            f"SHA-256 {published.sha256}) and no copy is cached at {target}: {error}. "
            f"{_ways_out(published)}"
        ) from None
    return pathlib.Path(path)


def _ways_out(published: PublishedFile) -> str:
    ways = [
        f"pass {published.flag}=PATH to a copy",
        f"put {published.filename} in ${DATA_DIR_ENV} (now {default_data_dir()})",
    ]
    if published is ORACLE_PARAMS:
        ways.append(
            "or pass --random_oracle (a random N(0,1) oracle, not comparable with the paper)"
        )
    else:
        ways.append("or leave --real_data unset to sample the training data from the oracle")
    return "Ways out: " + "; ".join(ways) + "."


@contextlib.contextmanager
def _socket_timeout(seconds: float):
    # urlretrieve has no timeout of its own: without one a silent network hangs forever.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)
