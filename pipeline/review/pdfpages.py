"""Images of the PDF pages a report's cells were read from, so a cell's box can be shown on its page.

Rendered once per page at build time (pypdfium2, grayscale) and written as PNG by a minimal encoder
(zlib, no imaging library); only pages some cell's provenance names are drawn.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

SCALE = 1.5  # pixels per PDF point: 1.5 = 108 dpi, legible digits at a modest size


def page_images(pdf: bytes, pages: set[int], folder: Path, stem: str) -> dict[int, list[Any]]:
    """Write `folder/<stem>-p<N>.png` for each 1-based page in `pages`; `{page: [file name, width, height]}`
    with the page size in PDF points (the unit of the provenance boxes)."""
    out: dict[int, list[Any]] = {}
    doc = pdfium.PdfDocument(pdf)
    try:
        for number in sorted(p for p in pages if 1 <= p <= len(doc)):
            page = doc[number - 1]
            width, height = page.get_size()
            bitmap = page.render(scale=SCALE, grayscale=True)  # one byte a pixel, rows `stride` bytes apart
            buffer, w, h = bytes(bitmap.buffer), bitmap.width, bitmap.height
            pixels = b"".join(buffer[y * bitmap.stride:y * bitmap.stride + w] for y in range(h))
            name = f"{stem}-p{number}.png"
            (folder / name).write_bytes(png_gray(pixels, w, h))
            out[number] = [name, round(width, 2), round(height, 2)]
    finally:
        doc.close()
    return out


def png_gray(data: bytes, width: int, height: int) -> bytes:
    """An 8-bit grayscale PNG of `height` rows of `width` bytes."""
    rows = b"".join(b"\x00" + data[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
