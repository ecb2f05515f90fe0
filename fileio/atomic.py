"""Writing a file so that a reader, or a crash, finds the old content or the new, never half.

Every run file another process may read while it is rewritten, or a killed run may leave
behind (``state.json``, a vocabulary, CycleGAN's ``config.json`` that the workers of a
multi-worker run read while the chief rewrites it), is written beside itself as
``<path>.tmp`` and renamed over the old one.
"""

from __future__ import annotations

import os


def write_atomically(path: str | os.PathLike, content: str | bytes) -> None:
    """Writes ``content`` (a str as UTF-8) to ``path`` through ``<path>.tmp`` and a rename.

    A local file reaches the disk (fsync) before the rename replaces the old one, so even
    a power cut leaves one or the other. A path with a scheme (``gs://...``, where a
    CycleGAN workdir may be) goes through ``tf.io.gfile``, imported only then; its rename
    is as atomic as that file system's (on GCS a copy, then a delete).
    """
    path = os.fspath(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp = f"{path}.tmp"
    if "://" in path:
        import tensorflow as tf

        with tf.io.gfile.GFile(tmp, "wb") as f:
            f.write(data)
        tf.io.gfile.rename(tmp, path, overwrite=True)
        return
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
