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
alone, or removed with ``replace=True`` (the folder then holds exactly the new
files). Staging folders are named ``.<name>.<pid>-<random>.tmp``; those of
processes that are no longer running (a ``kill -9``, a power cut) are removed by
the next :func:`atomic_directory` on the same target
(:func:`remove_stale_staging`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

__all__ = ["atomic_directory", "atomic_open", "is_staging", "remove_stale_staging"]


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


_STAGING = re.compile(r"^\.(?P<name>.*)\.(?:(?P<pid>\d+)-)?[0-9a-f]{8}\.tmp$")


def _staging_name(name: str) -> str:
    return f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _running(pid: int) -> bool:
    """Whether process ``pid`` still runs (always assumed on Windows, where kill ends it)."""
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def is_staging(entry: Path, name: str | None = None) -> bool:
    """Whether ``entry`` is a staging folder of :func:`atomic_directory` (for ``name``)."""
    match = _STAGING.match(entry.name)
    return bool(match) and entry.is_dir() and (name is None or match["name"] == name)


def remove_stale_staging(folder: str | os.PathLike[str], name: str | None = None) -> list[Path]:
    """Remove the staging folders in ``folder`` left behind by runs that have ended.

    A staging folder whose name carries the id of a running process (another run
    writing now) is kept; one without an id (written by an older clvmodels) or with
    the id of an ended process is removed.

    Parameters
    ----------
    folder
        Where to look (not recursive).
    name
        Only staging folders for this target name (``None``: all).

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    removed = []
    with suppress(FileNotFoundError, NotADirectoryError):
        for entry in Path(folder).iterdir():
            match = _STAGING.match(entry.name)
            if not match or not entry.is_dir() or (name is not None and match["name"] != name):
                continue
            if match["pid"] is not None and _running(int(match["pid"])):
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _every(name: str) -> bool:
    return True


def _remove_all_but(folder: Path, keep: set[str], stale: Callable[[str], bool]) -> None:
    """Remove the ``stale`` entries of ``folder`` not named in ``keep`` (live staging stays)."""
    for entry in folder.iterdir():
        if entry.name in keep or not stale(entry.name):
            continue
        match = _STAGING.match(entry.name)
        if match and entry.is_dir() and match["pid"] is not None and _running(int(match["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


@contextmanager
def atomic_directory(
    path: str | os.PathLike[str], replace: bool | Callable[[str], bool] = False
) -> Iterator[Path]:
    """A temporary folder whose files are moved into ``path`` once the block succeeds.

    The staging folder is created when the block starts, so that an unwritable
    destination fails before any work is done. On success, a new ``path`` is
    the staging folder renamed (all files appear at once); into an existing
    folder each file is moved with :func:`os.replace` (each appears whole) and,
    with ``replace``, every other entry of the folder is then removed. On
    failure (an exception, Ctrl-C, or a signal the caller turns into an
    exception) the staging folder is removed and ``path`` is untouched.
    Staging folders of ended runs on the same target are removed first
    (:func:`remove_stale_staging`).

    Parameters
    ----------
    path
        The destination folder. Missing parent folders are created.
    replace
        ``True``: leave exactly the new files in an existing folder; a function of a
        file name: remove the other files for which it is true (e.g. an earlier
        run's outputs); ``False`` (default): other files stay.

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
    name = target.resolve().name
    remove_stale_staging(target.parent, name)
    if exists:
        remove_stale_staging(target, name)
    staging = (target if exists else target.parent) / _staging_name(name)
    # os.mkdir with 0o777 lets the kernel apply the umask, as a plain mkdir would.
    staging.mkdir(mode=0o777)
    try:
        yield staging
        for item in staging.iterdir():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
        if exists:
            names = set()
            for item in staging.iterdir():
                os.replace(item, target / item.name)
                names.add(item.name)
            staging.rmdir()
            if replace:
                _remove_all_but(target, names, replace if callable(replace) else _every)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(target if exists else target.parent)
