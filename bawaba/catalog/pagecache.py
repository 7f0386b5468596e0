"""Per-process cache of rendered anonymous catalogue pages."""

from __future__ import annotations

import threading
from collections import OrderedDict


class _PageCache:
    """A small per-process LRU of rendered anonymous pages, keyed by catalogue version,
    language and address. A publication changes the version, so stale pages are never
    served for longer than the version check interval (2 s)."""

    def __init__(self, size: int = 3000) -> None:
        self.size = size
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

    def put(self, key: str, value: tuple[bytes, str]) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


page_cache = _PageCache()
