"""Model and evaluation files in the artifact folder: names, safe resolution, atomic writes.

The folder is :func:`store.artifacts.artifact_dir` (``MOATLAB_ARTIFACT_DIR``, else
``MOATLAB_HOME/models``). A run record keeps a portable name, ``models/<run_id>.keras``; a
reader maps it into its own artifact folder with :func:`resolve_artifact`, which accepts only a
file directly inside that folder (a tampered record never reaches other files, a symlink that
points outside is refused).

Writes are atomic: the file is written under a hidden temporary name in the same folder,
flushed to disk (``fsync``), then renamed over the target, so a reader sees the old file or the
new one, never half of one; a failed write removes its temporary file. A full disk (or quota)
and any other write failure become :class:`ArtifactError` with a sentence saying what to do.

Client side: no TensorFlow.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from store.artifacts import ARTIFACT_PREFIX, artifact_dir

__all__ = [
    "ARTIFACT_PREFIX",
    "ArtifactError",
    "artifact_dir",
    "artifact_name",
    "model_path_for",
    "resolve_artifact",
    "write_atomically",
]

#: errno values that mean "the disk (or the user's quota) is full".
_FULL = {errno.ENOSPC, errno.EDQUOT}


class ArtifactError(OSError):
    """A model or evaluation file could not be written; the message says what to do."""


def artifact_name(path: Path | str) -> str:
    """The portable name a record keeps for a file of the artifact folder: ``models/<file>``.

    >>> artifact_name("/mnt/shared/artifacts/20250101-120000-abcdef.keras")
    'models/20250101-120000-abcdef.keras'
    """
    return f"{ARTIFACT_PREFIX}/{PurePosixPath(str(path).replace(chr(92), '/')).name}"


def model_path_for(home: Path, run_id: str) -> Path:
    """Where the model of ``run_id`` is saved: ``<artifact folder>/<run_id>.keras``."""
    return artifact_dir(home) / f"{run_id}.keras"


def resolve_artifact(home: Path, name: str | None, suffix: str) -> Path | None:
    """The file a stored name (``models/<file>``) stands for, or None when the name is not one.

    Only a name of exactly two parts, ``models`` and a file ending in ``suffix``, is accepted,
    and the resolved file (symlinks followed) must lie directly inside the artifact folder.
    The file need not exist.

    >>> print(resolve_artifact(Path("/h"), "models/../moatlab.db", ".keras"))
    None
    """
    if not name or "\x00" in name:  # a NUL byte cannot name a file (Path.resolve raises)
        return None
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if len(parts) != 2 or parts[0] != ARTIFACT_PREFIX or not parts[1].endswith(suffix):
        return None
    folder = artifact_dir(home).resolve()
    path = (folder / parts[1]).resolve()
    if path.parent != folder or not path.name.endswith(suffix):
        return None
    return path


def _explain(exc: OSError, folder: Path, what: str, then: str) -> ArtifactError:
    if exc.errno in _FULL:
        return ArtifactError(f"no space left in {folder} while saving the {what}: free space and {then}")
    reason = exc.strerror or type(exc).__name__
    return ArtifactError(
        f"could not save the {what} in {folder} ({reason}): check that the folder exists and "
        f"this process may write to it, then {then}"
    )


def write_atomically(
    path: Path, write: Callable[[Path], None], *, what: str = "model", then: str = "train again"
) -> None:
    """Write ``path`` through ``write(temporary_path)``, then fsync and rename it into place.

    The temporary file is a hidden name in the same folder with the same suffix (Keras insists
    on ``.keras``). On any failure it is removed and ``path`` is left as it was; an ``OSError``
    becomes :class:`ArtifactError` (a full disk: "no space left in <folder> while saving the
    <what>: free space and <then>"). Other exceptions from ``write`` propagate unchanged.
    """
    folder = path.parent
    tmp = folder / f".{path.stem}.{secrets.token_hex(4)}.partial{path.suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_folder(folder)
    except ArtifactError:
        raise
    except OSError as exc:
        raise _explain(exc, folder, what, then) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (not every file system can sync a folder; that is not an error)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
