"""Atomic file writes: a file or folder appears whole, or not at all.

Everything clvmodels writes (saved models, the CLI's outputs) goes through
here. A file is written to a temporary file in the same folder, flushed to the
disk (``fsync``) and renamed over the target with :func:`os.replace`, which is
atomic on POSIX and Windows within one file system. A failure or a kill while
writing leaves the previous file as it was and no temporary file behind (a
``kill -9`` can leave a hidden ``.<name>.<random>.tmp`` file, never a
half-written target).

A folder of outputs is built in a temporary folder next to the target and moved
into place when complete: a new folder appears at once with all its files; in
an existing folder each file is replaced atomically and other files are left
alone.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

__all__ = ["atomic_directory", "atomic_open"]


def _fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextmanager
def atomic_open(path: str | os.PathLike[str], encoding: str = "utf-8") -> Iterator[TextIO]:
    """Open a text file for writing that replaces ``path`` only once complete.

    The handle writes to a temporary file in the folder of ``path``. When the
    ``with`` block ends normally the file is flushed, synced to disk and renamed
    over ``path``; when it raises, the temporary file is removed and ``path``
    keeps its previous content.

    Parameters
    ----------
    path
        The file to write. Its folder must exist. An existing file keeps its
        permission bits; a new one gets the usual ``0o666`` less the umask.
    encoding
        Text encoding of the file.

    Yields
    ------
    TextIO
        The handle to write to.

    Raises
    ------
    IsADirectoryError
        If ``path`` is a folder.
    OSError
        If the folder does not exist or is not writable.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "model.json"
    >>> with atomic_open(target) as handle:
    ...     json.dump({"r": 0.24}, handle)
    >>> target.read_text()
    '{"r": 0.24}'
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {target}: it is a folder")
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 lets the kernel apply the umask, as a plain open() would.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(target.parent)


@contextmanager
def atomic_directory(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary folder whose files are moved into ``path`` once the block succeeds.

    The staging folder is created when the block starts, so that an unwritable
    destination fails before any work is done. On success, a new ``path`` is
    the staging folder renamed (all files appear at once); into an existing
    folder each file is moved with :func:`os.replace` (each appears whole).
    On failure the staging folder is removed and ``path`` is untouched.

    Parameters
    ----------
    path
        The destination folder. Missing parent folders are created.

    Yields
    ------
    pathlib.Path
        The staging folder to write the files into (flat: no sub-folders).

    Raises
    ------
    NotADirectoryError
        If ``path`` exists and is not a folder.
    PermissionError
        If the destination (or its parent) is not writable.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is a file, not a folder")
    exists = target.is_dir()
    if not exists:
        target.parent.mkdir(parents=True, exist_ok=True)
    staging = (target if exists else target.parent) / f".{target.name}.{secrets.token_hex(4)}.tmp"
    # os.mkdir with 0o777 lets the kernel apply the umask, as a plain mkdir would.
    staging.mkdir(mode=0o777)
    try:
        yield staging
        for item in staging.iterdir():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
        if exists:
            for item in staging.iterdir():
                os.replace(item, target / item.name)
            staging.rmdir()
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(target if exists else target.parent)
