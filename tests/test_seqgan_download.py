"""The published files reach a fresh clone: downloaded once, verified, cached, or refused.

A server on 127.0.0.1 stands in for the authors' repository (``$SEQGAN_DOWNLOAD_MIRROR``),
serving the copies in ``$SEQGAN_DATA_DIR``; no test reaches outside the machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import pathlib
import re
import socket
import subprocess
import sys
import threading

import pytest

from seqgan_tf.data import published as data_paths

REPO = pathlib.Path(__file__).resolve().parents[1]


class _Server:
    """Serves ``{url path: bytes}`` and counts the requests it answers."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _repo_path(published: data_paths.PublishedFile) -> str:
    return f"/{published.commit}/{published.path_in_repo}"


@pytest.fixture
def fresh_clone(tmp_path, monkeypatch):
    """No data folder beside the checkout and an empty cache, as on a fresh clone."""
    monkeypatch.setenv(data_paths.DATA_DIR_ENV, str(tmp_path / "no_shared"))
    monkeypatch.setenv(data_paths.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def published_bytes(oracle_pickle_path, real_data_path):
    return {
        _repo_path(data_paths.ORACLE_PARAMS): oracle_pickle_path.read_bytes(),
        _repo_path(data_paths.REAL_DATA): real_data_path.read_bytes(),
    }


def _free_port_with_nothing_listening() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_first_use_downloads_and_verifies_then_the_cache_is_reused(
    fresh_clone, published_bytes, monkeypatch
):
    with _Server(published_bytes) as server:
        monkeypatch.setenv(data_paths.MIRROR_ENV, server.url)
        for published in (data_paths.ORACLE_PARAMS, data_paths.REAL_DATA):
            path = data_paths.locate(published)
            assert path == data_paths.cached_path(published)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == published.sha256
        assert server.requests == [
            _repo_path(data_paths.ORACLE_PARAMS),
            _repo_path(data_paths.REAL_DATA),
        ]
        # Second use: the verified copy, and no request.
        assert data_paths.locate(data_paths.ORACLE_PARAMS) == data_paths.cached_path(
            data_paths.ORACLE_PARAMS
        )
        assert len(server.requests) == 2


def test_a_copy_in_the_data_folder_needs_no_request(oracle_pickle_path, monkeypatch, tmp_path):
    monkeypatch.setenv(data_paths.DATA_DIR_ENV, str(oracle_pickle_path.parent))
    monkeypatch.setenv(data_paths.CACHE_ENV, str(tmp_path / "cache"))
    with _Server({}) as server:
        monkeypatch.setenv(data_paths.MIRROR_ENV, server.url)
        assert data_paths.locate(data_paths.ORACLE_PARAMS) == oracle_pickle_path
        assert server.requests == []


def test_a_download_with_another_hash_is_refused_and_not_cached(
    fresh_clone, published_bytes, monkeypatch
):
    tampered = dict(published_bytes)
    key = _repo_path(data_paths.ORACLE_PARAMS)
    tampered[key] = tampered[key][:-1] + bytes([tampered[key][-1] ^ 1])
    with _Server(tampered) as server:
        monkeypatch.setenv(data_paths.MIRROR_ENV, server.url)
        with pytest.raises(data_paths.PublishedFileUnavailable) as error:
            data_paths.locate(data_paths.ORACLE_PARAMS)
    message = str(error.value)
    assert data_paths.ORACLE_PARAMS.sha256 in message and "deleted" in message
    assert not data_paths.cached_path(data_paths.ORACLE_PARAMS).exists()


def test_offline_with_nothing_cached_names_the_url_the_hash_and_the_ways_out(
    fresh_clone, monkeypatch
):
    mirror = f"http://127.0.0.1:{_free_port_with_nothing_listening()}"
    monkeypatch.setenv(data_paths.MIRROR_ENV, mirror)
    with pytest.raises(data_paths.PublishedFileUnavailable) as error:
        data_paths.locate(data_paths.ORACLE_PARAMS)
    message = str(error.value)
    assert data_paths.ORACLE_PARAMS.url in message and mirror in message
    assert data_paths.ORACLE_PARAMS.sha256 in message
    for way_out in ("--oracle_params", "$SEQGAN_DATA_DIR", "--random_oracle"):
        assert way_out in message
    assert not data_paths.cached_path(data_paths.ORACLE_PARAMS).exists()


def test_the_default_url_is_the_authors_repository_pinned_at_a_commit(monkeypatch):
    monkeypatch.delenv(data_paths.MIRROR_ENV, raising=False)
    assert data_paths.ORACLE_PARAMS.url == (
        "https://raw.githubusercontent.com/LantaoYu/SeqGAN/"
        "aa79a6fff1c4127fd8d0e92df8b647cf48b30787/save/target_params_py3.pkl"
    )
    assert data_paths.REAL_DATA.url == (
        "https://raw.githubusercontent.com/LantaoYu/SeqGAN/"
        "149b789b546f8a3d5dbb021561ac0ce5a3151040/MLE_SeqGAN/save/real_data.txt"
    )


def _driver(args: list[str], env_dir: pathlib.Path, mirror: str) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ)
    env[data_paths.DATA_DIR_ENV] = str(env_dir / "no_shared")
    env[data_paths.CACHE_ENV] = str(env_dir / "cache")
    env[data_paths.MIRROR_ENV] = mirror
    return subprocess.run(
        [sys.executable, "-m", "seqgan_tf.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_driver_offline_without_a_cache_fails_clearly_and_writes_nothing(tmp_path):
    mirror = f"http://127.0.0.1:{_free_port_with_nothing_listening()}"
    workdir = tmp_path / "run"
    result = _driver(["--mode=oracle", "--preset=quick", f"--workdir={workdir}"], tmp_path, mirror)
    assert result.returncode != 0
    assert (
        data_paths.ORACLE_PARAMS.url.replace(data_paths.AUTHORS_RAW_FILES, mirror) in result.stderr
    )
    assert "--random_oracle" in result.stderr and "Traceback" not in result.stderr
    assert not workdir.exists()


def test_driver_on_a_fresh_clone_downloads_the_oracle_and_scores_with_it(
    tmp_path, published_bytes, real_data_path
):
    with _Server(published_bytes) as server:
        result = _driver(["--mode=score", f"--data={real_data_path}"], tmp_path, server.url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert server.requests == [_repo_path(data_paths.ORACLE_PARAMS)]
    match = re.search(r"^NLL_oracle: (\d+\.\d+)$", result.stdout, flags=re.M)
    assert match and abs(float(match.group(1)) - 5.761) < 0.002
