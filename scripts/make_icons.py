"""Draw the portal's PWA icons (a white doorway on Bawaba green) as PNG files with only
the standard library (zlib). Run: .venv/bin/python scripts/make_icons.py"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bawaba" / "catalog" / "static" / "catalog" / "icons"
GREEN = (11, 92, 74)
WHITE = (255, 255, 255)


def png(width: int, height: int, pixel) -> bytes:  # type: ignore[no-untyped-def]
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def door(size: int, inset: float):  # type: ignore[no-untyped-def]
    # A doorway: a rectangle with a round arch, centred; `inset` leaves a safe zone (maskable).
    w = size * (0.36 - inset * 0.3)
    top = size * (0.22 + inset * 0.5)
    bottom = size * (0.8 - inset * 0.4)
    cx = size / 2
    r = w / 2
    frame = size * 0.06

    def pixel(x: int, y: int):  # type: ignore[no-untyped-def]
        px, py = x + 0.5, y + 0.5
        outer = _in_arch(px, py, cx, top, bottom, r + frame)
        inner = _in_arch(px, py, cx, top + frame, bottom, r)
        return WHITE if outer and not inner else GREEN

    return pixel


def _in_arch(px: float, py: float, cx: float, top: float, bottom: float, r: float) -> bool:
    if py > bottom or abs(px - cx) > r:
        return False
    arch_centre = top + r
    if py >= arch_centre:
        return True
    return (px - cx) ** 2 + (py - arch_centre) ** 2 <= r * r


SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="18" fill="#0b5c4a"/><path d="M32 80V40a18 18 0 0 1 36 0v40h-6V40a12 12 0 0 0-24 0v40z" fill="#fff"/></svg>
"""

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon-192.png").write_bytes(png(192, 192, door(192, 0)))
    (OUT / "icon-512.png").write_bytes(png(512, 512, door(512, 0)))
    (OUT / "icon-maskable-512.png").write_bytes(png(512, 512, door(512, 0.1)))
    (OUT / "icon.svg").write_text(SVG)
    print("icons written to", OUT)
