"""The shared store of rendered catalogue pages: one file per page under
`BAWABA_PAGE_STORE_DIR` (default `$BAWABA_DATA_DIR/pages`), one directory per catalogue
publication.

The per-process page cache (catalog.pagecache) keeps each worker's hot pages in memory;
this store sits behind it so that a page is rendered once for every worker process of the
machine (and survives restarts), instead of once per process. `bawaba catalogue_prerender`
(run by the task worker after every publication and by `bawaba setup`) renders every
catalogue page into it ahead of the first visitor. Files are written to a temporary name
and renamed, so a reader never sees half a page; pages are stored without CSRF tokens
(core.pages.csrf_punch), like in the in-memory cache.

The directory name is the catalogue *stamp* (version and time of the publication), so a
database restored or recreated with a lower version never meets the pages of another
catalogue. A store that cannot be written (read-only disk, full disk) is skipped: pages are
still rendered and served, only not shared."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

_warned: list[bool] = [False]


def root() -> Path | None:
    """The store's directory, or None when the store is switched off."""
    value = getattr(settings, "BAWABA_PAGE_STORE_DIR", None)
    return Path(value) if value else None


def _path(stamp: str, digest: str) -> Path | None:
    base = root()
    if base is None:
        return None
    return base / stamp / digest[:2] / digest


def get(stamp: str, digest: str) -> tuple[bytes, str] | None:
    """The stored page (body, content type), or None."""
    path = _path(stamp, digest)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    ctype, sep, body = data.partition(b"\n")
    if not sep:
        return None
    return body, ctype.decode("ascii", "replace")


def put(stamp: str, digest: str, body: bytes, content_type: str) -> bool:
    path = _path(stamp, digest)
    if path is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content_type.encode("ascii", "replace") + b"\n" + body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        if not _warned[0]:
            _warned[0] = True
            log.warning("page store %s not writable (%s): pages are not shared between workers", root(), exc)
        return False
    return True


def prune(keep: str) -> int:
    """Remove the pages of every other publication; returns how many directories went."""
    base = root()
    if base is None or not base.is_dir():
        return 0
    removed = 0
    for child in base.iterdir():
        if child.is_dir() and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
    return removed


def count(stamp: str) -> int:
    base = root()
    if base is None or not (base / stamp).is_dir():
        return 0
    return sum(1 for p in (base / stamp).rglob("*") if p.is_file() and not p.name.startswith("."))
