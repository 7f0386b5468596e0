"""Per-process caches of the public catalogue: rendered anonymous pages, and fragments and
small reads that only change when the catalogue is published (service list items, the
browse sidebars, list counts).

Everything here is keyed by (or cleared on) the catalogue version, which every publication
increments (services/indexing.py `catalogue_touch`); processes see a new version within
VERSION_CHECK_SECONDS. Both caches are shared by the threads of a server worker and
guarded by a lock; values are immutable (bytes, str) or treated as read-only.

A page is stored without its CSRF tokens (core.pages.csrf_punch): each visitor served from
the cache gets their own token (and cookie) exactly as if the page had been rendered for them."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class _PageCache:
    """A per-process LRU of rendered anonymous pages, keyed by catalogue version, language
    and address, bounded by the bytes it holds. A publication changes the version, so
    stale pages are never served for longer than the version check interval (2 s)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.data: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            hit = self.data.get(key)
            if hit is not None:
                self.data.move_to_end(key)
            return hit

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.bytes = 0

    def put(self, key: str, value: tuple[bytes, str]) -> None:
        size = len(value[0])
        if size > self.max_bytes // 8:
            return
        with self.lock:
            old = self.data.pop(key, None)
            if old is not None:
                self.bytes -= len(old[0])
            self.data[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _key, dropped = self.data.popitem(last=False)
                self.bytes -= len(dropped[0])


MISSING = object()


class _VersionMemo:
    """Values computed from the published catalogue, valid for one catalogue version.
    Seeing another version empties it; it is bounded (emptied when full)."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.version: int | None = None
        self.data: dict[Hashable, Any] = {}
        self.lock = threading.Lock()

    def get(self, version: int, key: Hashable) -> Any:
        """The value, or MISSING."""
        if version != self.version:
            return MISSING
        return self.data.get(key, MISSING)

    def put(self, version: int, key: Hashable, value: Any) -> None:
        with self.lock:
            if version != self.version:
                self.data = {}
                self.version = version
            elif len(self.data) >= self.size:
                self.data = {}
            self.data[key] = value

    def get_or_compute(self, version: int, key: Hashable, compute: Callable[[], Any]) -> Any:
        value = self.get(version, key)
        if value is MISSING:
            value = compute()
            self.put(version, key, value)
        return value

    def clear(self) -> None:
        with self.lock:
            self.data = {}
            self.version = None


_MIB = 1024 * 1024
# Catalogue pages (home, lists, every service in both languages: ~10 KB each, so 2,000
# services take ~45 MB) and search result pages, kept apart so that searches never push
# catalogue pages out.
page_cache = _PageCache(int(os.environ.get("BAWABA_PAGE_CACHE_MB", "64")) * _MIB)
search_cache = _PageCache(int(os.environ.get("BAWABA_SEARCH_CACHE_MB", "16")) * _MIB)
memo = _VersionMemo()
