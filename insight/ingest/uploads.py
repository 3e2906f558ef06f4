"""Uploaded files: private and temporary.

An upload waits in `<workspace folder>/uploads/` (the folder mode 700, each file mode 600, so no
other account on the machine can read a customer list) until it is imported or the upload is
cancelled; then it is deleted. Files left behind by a closed browser are swept after
settings.UPLOAD_MAX_AGE_HOURS.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from insight import settings


def folder(workspace: str | os.PathLike) -> Path:
    """The upload folder of the workspace file `workspace` (created private)."""
    path = Path(workspace).resolve().parent / settings.UPLOAD_FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def save(workspace: str | os.PathLike, name: str, data: bytes) -> Path:
    """Write an upload (named by its content hash, so reruns reuse it) readable by this user only."""
    home = folder(workspace)
    sweep(home)
    path = home / f"{hashlib.sha1(data).hexdigest()[:16]}{Path(name).suffix.lower()}"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return path


def discard(path: str | os.PathLike | None) -> None:
    """Delete an upload (after its import, or when it is cancelled)."""
    if path:
        Path(path).unlink(missing_ok=True)


def sweep(home: Path, max_age_hours: float = settings.UPLOAD_MAX_AGE_HOURS) -> list[Path]:
    """Delete uploads older than `max_age_hours`; the ones deleted."""
    cutoff = time.time() - max_age_hours * 3600
    gone = []
    for path in home.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                gone.append(path)
        except FileNotFoundError:  # another session swept it first
            continue
    return gone
