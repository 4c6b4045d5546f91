"""Atomic writes: single files and whole output folders.

Files
-----
:func:`atomic_write_text` / :func:`atomic_write_bytes` write a temporary file beside the target
and rename it into place; :func:`replacing` hands a temporary path to a writer that creates the
file itself (GDAL, pyogrio) and renames it on success. On any failure the temporary file is
removed and the target is untouched. Files are created with mode ``0o666`` minus the umask, like
any other program's files (``tempfile.mkstemp`` would give 0600).

Output folders
--------------
:func:`output_folder` is how every corridors command writes a folder (``corridors run``,
``corridors compare``); :func:`output_files` is the same for commands that add files to an
existing folder (``corridors circuitscape``). Both

* refuse dangerous targets (:func:`check_output_folder`): an empty path, ``.``, ``..``, ``/``,
  the home folder, the current folder or one of its parents, a folder holding an input file;
* resolve a symlinked target first, so the folder it points to is what gets replaced;
* take a lock on the target (:class:`OutputLock`): a second command on the same folder fails at
  once (:class:`~rasters.errors.OutputLockedError`) instead of both "succeeding";
* build everything in a temporary folder and leave a marker file (:data:`MARKER`) saying which
  corridors command wrote what;
* replace an existing folder only with ``overwrite`` and only when it bears the marker and holds
  nothing the marker does not list (otherwise the refusal names what is in it), by a swap: new
  folder complete -> old renamed aside -> new renamed in -> old removed. The side path is
  recorded in the lock file first, so if the process dies between the two renames the next
  command on that folder puts the old output back;
* remove temporary and set-aside folders that a killed command left behind (they are found
  under the lock, so no live command owns them);
* write into a mount point (which cannot be renamed) in place when it is empty, and refuse it
  otherwise.

All of it relies on POSIX rename and ``flock`` semantics (Linux, macOS; NFS with working locks).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import logging
import os
import secrets
import shutil
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import DataFormatError, OutputExistsError, OutputLockedError, UnsafeOutputError

__all__ = [
    "atomic_write_text",
    "atomic_write_bytes",
    "replacing",
    "temporary_folder",
    "make_folder",
    "check_output_folder",
    "output_folder",
    "output_files",
    "OutputLock",
    "read_marker",
    "MARKER",
    "write_error",
]

log = logging.getLogger("corridors.atomic")

#: Marker file every corridors command leaves in the folder it wrote (JSON).
MARKER = ".corridors-output.json"
#: Name parts of the temporary and set-aside folders (``.<name>.corridors-tmp-<pid>-<token>``).
TMP_TAG = "corridors-tmp-"
OLD_TAG = "corridors-old-"
LOCK_TAG = "corridors-lock"

_DISK_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


# ------------------------------------------------------------------------------ small helpers
def _token() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def write_error(path: Path | str, exc: OSError, *, kept: str = "") -> DataFormatError:
    """One-line :class:`DataFormatError` for a failed write, naming the path, the reason and the fix.

    ``kept`` says what is still intact (e.g. "the previous output is unchanged").
    """
    reason = exc.strerror or str(exc)
    if exc.errno in _DISK_ERRNOS:
        fix = "free some space (or choose a folder on another disk) and run again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "choose a folder you can write to"
    else:
        fix = "check the folder exists and is writable"
    where = str(path)
    tail = f"; {kept}" if kept else ""
    return DataFormatError(f"cannot write {where}: {reason}{tail}; {fix}")


def _is_write_failure(exc: BaseException) -> bool:
    """An OSError that means "cannot write here" (disk full, read-only, permission), not yet one line."""
    return (isinstance(exc, OSError) and not isinstance(exc, DataFormatError)
            and exc.errno in _DISK_ERRNOS | {errno.EACCES, errno.EPERM, errno.EROFS})


def _open_new(path: Path) -> int:
    """A new file with mode 0o666 minus the umask (O_EXCL: never an existing file)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def make_folder(path: Path) -> Path:
    """Create a new folder with mode 0o777 minus the umask (``mkdtemp`` would give 0700)."""
    os.mkdir(path, 0o777)
    return path


def _rmtree(path: Path) -> None:
    """Remove a folder we created; a failure is logged with the path, never hidden."""
    def onerror(func, p, exc_info):
        log.warning("could not remove %s (%s); remove it by hand", p, exc_info[1])

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, onerror=onerror)
    elif path.exists() or path.is_symlink():
        path.unlink()


# ------------------------------------------------------------------------------ files
def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Raises
    ------
    DataFormatError
        The folder is missing or not writable, or the disk is full (the old file is kept and
        no temporary file is left).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{_token()}.tmp")
    try:
        fd = _open_new(tmp)
    except OSError as exc:
        raise write_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, DataFormatError):
            raise write_error(path, exc, kept=f"{path.name} is unchanged") from exc
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Newlines are written as ``\\n`` on every platform; the text is encoded before anything is
    written, so an encoding error leaves no file behind.
    """
    return atomic_write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix, not yet created) to write a file to.

    On a clean exit the file is renamed onto ``path``; on any error it is removed and ``path``
    is untouched. For writers that create the file themselves (GDAL, pyogrio). A disk-full or
    permission error becomes a one-line :class:`DataFormatError`.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{_token()}.tmp{path.suffix}")
    try:
        yield tmp
        if not tmp.exists():
            raise DataFormatError(f"{path}: the writer created no file; nothing was replaced")
        # some writers pick their own mode (SQLite, so GeoPackage: 0644): give it the umask's
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except OSError as exc:
        if not isinstance(exc, DataFormatError):
            raise write_error(path, exc, kept=f"{path.name} is unchanged") from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def temporary_folder(beside: str | os.PathLike) -> Iterator[Path]:
    """A new private working folder beside ``beside`` (same file system), removed at the end.

    For writers that produce several files (a grid and its ``.prj``, a Shapefile's parts) and
    move them into place with :func:`os.replace`. Created with mode 0o777 minus the umask.
    """
    beside = Path(beside)
    try:
        tmp = make_folder(beside.parent / f".{beside.name}.{_token()}.tmp")
    except OSError as exc:
        raise write_error(beside, exc) from exc
    try:
        yield tmp
    except OSError as exc:
        if _is_write_failure(exc):
            raise write_error(beside, exc, kept=f"{beside.name} is unchanged") from exc
        raise
    finally:
        _rmtree(tmp)


# ------------------------------------------------------------------------------ the marker
def read_marker(folder: Path) -> dict | None:
    """The marker of a folder written by corridors, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("written_by") == "corridors" else None


def _marker_text(command: str, entries: Iterable[str], extra: dict | None = None) -> str:
    from importlib import metadata

    try:
        version = metadata.version("corridors")
    except metadata.PackageNotFoundError:  # running from a source tree
        version = None
    data = {
        "written_by": "corridors",
        "command": command,
        "version": version,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "entries": sorted(entries),
        "note": "This folder was written by corridors. corridors may replace it as a whole when asked to overwrite "
                "(or, for circuitscape, the files listed here); delete this file to protect it.",
    }
    if extra:
        data.update(extra)
    return json.dumps(data, indent=2) + "\n"


def _describe(entries: list[str], limit: int = 5) -> str:
    shown = ", ".join(sorted(entries)[:limit])
    more = f" and {len(entries) - limit} more" if len(entries) > limit else ""
    return f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}: {shown}{more}"


# ------------------------------------------------------------------------------ target checks
def _is_within(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_output_folder(out, *, inputs: Iterable[str | os.PathLike] = (), what: str = "output folder",
                        overwrite: bool | None = None) -> Path:
    """Refuse dangerous output targets; return the resolved target folder.

    With ``overwrite`` given (True or False), an existing folder is also checked as
    :func:`output_folder` will check it: refused unless it is empty, or it bears the marker and
    ``overwrite`` is True and it holds nothing the marker does not list. Nothing is written.

    Refused (:class:`UnsafeOutputError`, naming the reason): an empty path (often an unset
    shell variable), ``.`` and ``..``, the file-system root, the home folder or a folder holding
    it, the current folder or one of its parents, and a folder that holds one of ``inputs``.
    A symlink is resolved first: the folder it points to is checked (and later replaced).
    """
    given = "" if out is None else os.fspath(out)
    if not given.strip():
        raise UnsafeOutputError(f"{what} is empty (an unset shell variable?); give the output folder's path")
    if Path(given).name in (".", "..") or given.rstrip("/\\") in (".", ".."):
        raise UnsafeOutputError(
            f"{what} {given!r} is the current or parent folder, which would be replaced as a whole; "
            "give a new folder, e.g. nea-run"
        )
    target = Path(os.path.realpath(os.path.expanduser(given)))
    plain = Path(os.path.abspath(os.path.expanduser(given)))
    shown = given if target == plain else f"{given} (-> {target})"
    if target == Path(target.anchor):
        raise UnsafeOutputError(f"{what} {shown} is the root of the file system; give a new folder")
    home = Path(os.path.realpath(Path.home()))
    if _is_within(home, target):
        raise UnsafeOutputError(f"{what} {shown} is your home folder or holds it; give a new folder inside it")
    cwd = Path(os.path.realpath(Path.cwd()))
    if _is_within(cwd, target):
        raise UnsafeOutputError(
            f"{what} {shown} is the current folder or one of its parents; give a new folder, e.g. nea-run"
        )
    for f in inputs:
        if f is None:
            continue
        src = Path(os.path.realpath(os.fspath(f)))
        if _is_within(src, target):
            how = "is the input" if src == target else "holds the input"
            raise UnsafeOutputError(f"{what} {shown} {how} {src}; write the output to a folder of its own")
    if overwrite is not None:
        _check_existing(target, given, overwrite=overwrite, ignore=(f".{LOCK_TAG}",))
    return target


def _check_existing(target: Path, given: str, *, overwrite: bool, ignore: tuple[str, ...] = ()) -> bool:
    """Whether ``target`` exists (and may be replaced); raise when it must not be touched."""
    if not (target.exists() or target.is_symlink()):
        return False
    if not target.is_dir():
        raise OutputExistsError(f"{given}: exists and is not a folder; choose another output folder")
    entries = [p.name for p in target.iterdir() if p.name not in ignore]
    if not entries:
        return True
    marker = read_marker(target)
    if marker is None:
        raise OutputExistsError(
            f"{given}: folder exists and was not written by corridors (no {MARKER}); it holds "
            f"{_describe(entries)}. Choose another output folder, or empty it yourself"
        )
    if not overwrite:
        raise OutputExistsError(
            f"{given}: holds the output of an earlier `corridors {marker.get('command', '?')}` "
            f"({marker.get('created', 'date unknown')}); pass overwrite=True to replace it, or choose another output folder"
        )
    known = set(marker.get("entries", [])) | {MARKER}
    foreign = [e for e in entries if e not in known]
    if foreign:
        raise OutputExistsError(
            f"{given}: overwriting would delete what corridors did not write there: "
            f"{_describe(foreign)}; move them out of the folder or choose another output folder"
        )
    return True


# ------------------------------------------------------------------------------ the lock
class OutputLock:
    """An exclusive, non-blocking lock on an output folder, held through a lock file.

    The lock file (``.<name>.corridors-lock`` beside the folder, or ``.corridors-lock`` inside a
    mount point) holds JSON: who holds it (pid, host, command, start) and, during a swap, the
    path the old output was renamed to. ``flock`` locks die with their process, so a killed
    command never blocks the next one; the next one reads what the dead one recorded
    (:attr:`previous`) and repairs the folder (:func:`recover`).
    """

    def __init__(self, target: Path, command: str, *, inside: bool = False):
        self.target = target
        self.command = command
        self.path = target / f".{LOCK_TAG}" if inside else target.parent / f".{target.name}.{LOCK_TAG}"
        self.fd: int | None = None
        self.previous: dict = {}
        self.state: dict = {}

    def acquire(self) -> "OutputLock":
        import fcntl

        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise write_error(self.path, exc) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_json_fd(fd)
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise write_error(self.path, exc) from exc
                who = (f"`corridors {holder.get('command', '?')}` (pid {holder.get('pid', '?')} on "
                       f"{holder.get('host', '?')}, since {holder.get('started', '?')})") if holder else "another corridors command"
                raise OutputLockedError(
                    f"{self.target}: {who} is writing this folder; wait for it to finish or choose another output folder"
                ) from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if not same:  # the holder removed the file as we opened it: lock the new one
                os.close(fd)
                continue
            self.fd = fd
            self.previous = _read_json_fd(fd)
            self.record(pid=os.getpid(), host=socket.gethostname(), command=self.command,
                        started=_dt.datetime.now().astimezone().isoformat(timespec="seconds"))
            return self

    def record(self, **state) -> None:
        """Rewrite the lock file with ``state`` added (fsynced: it must survive a kill)."""
        self.state.update(state)
        self.state = {k: v for k, v in self.state.items() if v is not None}
        data = (json.dumps(self.state) + "\n").encode()
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, data)
        os.fsync(self.fd)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_json_fd(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = b""
        while chunk := os.read(fd, 65536):
            raw += chunk
        data = json.loads(raw.decode() or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# ------------------------------------------------------------------------------ recovery
def recover(lock: OutputLock) -> None:
    """Repair what a killed command left behind on this folder (call while holding ``lock``).

    * the old output set aside during a swap is renamed back when the new one never arrived,
      and removed when the new one is in place;
    * a folder swap that was moving Circuitscape files in is completed from its staging folder;
    * temporary and set-aside folders of dead commands are removed (each is logged).
    """
    target, prev = lock.target, lock.previous
    aside = Path(prev["aside"]) if prev.get("aside") else None
    if aside is not None and aside.exists():
        if not target.exists():
            os.rename(aside, target)
            log.warning("%s: restored the previous output, which a killed `corridors %s` (pid %s) had "
                        "moved aside to %s", target, prev.get("command", "?"), prev.get("pid", "?"), aside.name)
        else:
            log.warning("%s: removing the previous output left at %s by a killed `corridors %s` "
                        "(the new output is complete)", target, aside.name, prev.get("command", "?"))
            _rmtree(aside)
    if prev.get("staging"):
        staging = Path(prev["staging"])
        if staging.is_dir() and prev.get("moving"):
            log.warning("%s: completing the file moves of a killed `corridors %s` (pid %s)",
                        target, prev.get("command", "?"), prev.get("pid", "?"))
            _move_files(staging, target, prev.get("remove", []), prev.get("marker_text"))
    for folder, prefix in _stale_places(target):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink():
                log.warning("removing %s, left by a corridors command that was killed", p)
                _rmtree(p)


def _stale_places(target: Path) -> list[tuple[Path, str]]:
    return [(target.parent, f".{target.name}.{TMP_TAG}"), (target.parent, f".{target.name}.{OLD_TAG}"),
            (target, f".{TMP_TAG}")]


# ------------------------------------------------------------------------------ output folders
@contextlib.contextmanager
def output_folder(out, *, overwrite: bool = False, inputs: Iterable = (), command: str = "run") -> Iterator[Path]:
    """Build a whole output folder safely; yields the temporary folder to write into.

    Parameters
    ----------
    out : path-like
        The output folder (checked by :func:`check_output_folder`).
    overwrite : bool
        Replace an existing folder written by corridors (see the module notes).
    inputs : iterable of paths
        Input files of the command; ``out`` may not hold any of them.
    command : str
        The command written in the marker and the lock ("run", "compare").

    Raises
    ------
    UnsafeOutputError, OutputExistsError, OutputLockedError, DataFormatError
        A refused target, an existing folder that may not be replaced, a folder another command
        is writing, a folder that cannot be written (one line each; nothing is changed).
    """
    given = os.fspath(out) if out is not None else ""
    target = check_output_folder(out, inputs=inputs)
    mount = target.is_dir() and os.path.ismount(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target.parent, exc) from exc
    with OutputLock(target, command, inside=mount) as lock:
        recover(lock)
        if mount:
            ignore = (lock.path.name,)
            if any(p.name not in ignore for p in target.iterdir()):
                raise UnsafeOutputError(
                    f"{given}: is a mount point, which cannot be replaced by a rename, and it is not "
                    "empty; empty it or give a new folder inside it"
                )
            yield from _in_place(target, command, ignore)
            return
        _check_existing(target, given, overwrite=overwrite)
        try:
            work = make_folder(target.parent / f".{target.name}.{TMP_TAG}{_token()}")
        except OSError as exc:
            raise write_error(target.parent, exc, kept="nothing was changed") from exc
        try:
            yield work
            entries = [p.name for p in work.iterdir()]
            atomic_write_text(work / MARKER, _marker_text(command, entries))
            _swap(work, target, lock)
        except BaseException as exc:
            _rmtree(work)
            if _is_write_failure(exc):
                kept = "the previous output is unchanged" if target.exists() else "nothing was written"
                raise write_error(target, exc, kept=kept + "; temporary files were removed") from exc
            raise


def _in_place(target: Path, command: str, ignore: tuple[str, ...]) -> Iterator[Path]:
    """Write into an empty mount point; on failure remove what was written there."""
    try:
        yield target
        entries = [p.name for p in target.iterdir() if p.name not in ignore]
        atomic_write_text(target / MARKER, _marker_text(command, entries))
    except BaseException as exc:
        for p in target.iterdir():
            if p.name not in ignore:
                _rmtree(p)
        if _is_write_failure(exc):
            raise write_error(target, exc, kept="what was written was removed") from exc
        raise


def _swap(work: Path, target: Path, lock: OutputLock) -> None:
    """new complete -> old renamed aside (recorded first) -> new renamed in -> old removed."""
    if not target.exists():
        os.rename(work, target)
        return
    if not any(target.iterdir()):  # an empty folder: replaced in one rename
        os.replace(work, target)
        return
    aside = target.parent / f".{target.name}.{OLD_TAG}{_token()}"
    lock.record(aside=str(aside))
    os.rename(target, aside)
    try:
        os.rename(work, target)
    except BaseException:
        os.rename(aside, target)
        lock.record(aside=None)
        raise
    _rmtree(aside)
    lock.record(aside=None)


# ------------------------------------------------------------------------------ files into a folder
@contextlib.contextmanager
def output_files(folder, *, prefix: str, owned, overwrite: bool = False, inputs: Iterable = (),
                 command: str = "circuitscape") -> Iterator[Path]:
    """Add a set of files (all named ``prefix*``) to a folder that may hold other things.

    The folder itself is never removed or replaced, so it may be the current folder or hold the
    inputs; an output that would replace an input file is refused.

    For commands such as ``corridors circuitscape`` whose outputs are files beside others (the
    INI, the inputs). Yields a staging folder inside ``folder``; when the block ends the staged
    files are moved in, the marker lists them under ``prefix``, and earlier files of ``prefix``
    not written again are removed, so the folder never mixes two runs' outputs. The moves are
    recorded in the lock first: if the process dies among them, the next command on the folder
    completes them.

    Parameters
    ----------
    folder : path-like
        The output folder (created when missing).
    prefix : str
        File-name start of this job's outputs.
    owned : callable
        ``owned(name)``: whether a file name is one of this job's outputs (names the job could
        write); existing such files block the run unless ``overwrite``.
    overwrite : bool
        Replace earlier outputs of ``prefix``, but only files a corridors command wrote (listed
        in the marker); any other is refused by name.
    """
    given = os.fspath(folder) if folder is not None else ""
    if not given.strip():
        raise UnsafeOutputError("the output folder is empty (an unset variable?); give a path")
    target = Path(os.path.realpath(os.path.expanduser(given)))
    sources = {Path(os.path.realpath(os.fspath(f))) for f in inputs if f is not None}
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target, exc) from exc
    with OutputLock(target, command, inside=True) as lock:
        recover(lock)
        marker = read_marker(target) or {}
        files_of = marker.get("files", {}) if isinstance(marker.get("files"), dict) else {}
        listed = set(files_of.get(prefix, []))
        old = sorted(p.name for p in target.iterdir() if p.is_file() and owned(p.name))
        if old and not overwrite:
            raise OutputExistsError(
                f"{len(old)} output file(s) of an earlier run exist in {given}, e.g. {old[0]}; "
                "pass overwrite=True or change output_file"
            )
        foreign = [n for n in old if n not in listed]
        if foreign:
            raise OutputExistsError(
                f"{given}: overwriting would replace files that corridors did not write: "
                f"{_describe(foreign)}; move them or change output_file"
            )
        try:
            staging = make_folder(target / f".{TMP_TAG}{_token()}")
        except OSError as exc:
            raise write_error(target, exc, kept="nothing was changed") from exc
        try:
            yield staging
            names = sorted(p.name for p in staging.iterdir())
            clash = [n for n in names if target / n in sources]
            if clash:
                raise UnsafeOutputError(f"{target / clash[0]}: is an input of this job; change output_file")
            files_of = {**files_of, prefix: names}
            text = _marker_text(command, sorted({n for v in files_of.values() for n in v}), {"files": files_of})
            remove = [n for n in listed if n not in names]
            lock.record(staging=str(staging), moving=names, remove=remove, marker_text=text)
            _move_files(staging, target, remove, text)
            lock.record(staging=None, moving=None, remove=None, marker_text=None)
        except BaseException as exc:
            if staging.exists():
                _rmtree(staging)
            if _is_write_failure(exc):
                raise write_error(target, exc, kept="earlier outputs are unchanged; temporary files were removed") from exc
            raise


def _move_files(staging: Path, target: Path, remove, marker_text) -> None:
    for p in sorted(staging.iterdir()):
        os.replace(p, target / p.name)
    for name in remove:
        with contextlib.suppress(FileNotFoundError):
            (target / name).unlink()
    if marker_text:
        atomic_write_text(target / MARKER, marker_text)
    _rmtree(staging)
