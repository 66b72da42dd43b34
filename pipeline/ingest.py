"""Stage 1: read a report file into a `Document` (decoded text, normalised view, HTML grids)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.core import Document, IngestError
from pipeline.html_render import render_html
from pipeline.reflow import reflow

MAX_BYTES = 20 * 1024 * 1024  # a real 年报 as text is well under 1 MB
MAX_ORIGINAL_BYTES = 100 * 1024 * 1024  # a PDF or Word file, images and all (a scan is large)
TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
ORIGINAL_SUFFIXES = {".pdf", ".docx", ".doc", ".wps"}
_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image"}
SUPPORTED_SUFFIXES = frozenset((TEXT_SUFFIXES - {""}) | HTML_SUFFIXES | ORIGINAL_SUFFIXES)  # what a folder is searched for


def ingest(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read `path`; raise `IngestError` with a clear message for input that cannot be a report."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror}", path=str(path)) from exc
    if size == 0:
        raise IngestError(f"{path.name}: empty file", path=str(path))
    if Path(path).suffix.lower() in ORIGINAL_SUFFIXES and max_bytes == MAX_BYTES:
        max_bytes = MAX_ORIGINAL_BYTES
    if size > max_bytes:
        raise IngestError(f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit for one report",
                          path=str(path), size=size)
    data = path.read_bytes()
    return ingest_bytes(path.name, data)


def ingest_bytes(name: str, data: bytes) -> Document:
    if not data.strip():
        raise IngestError(f"{name}: empty file", path=name)
    original = _original(name, data)
    if original is not None:
        return original
    _reject_binary(name, data)
    text = decode(name, data)
    sha = hashlib.sha256(data).hexdigest()
    if _is_html(name, text):
        try:
            view, view_map, grids = render_html(text)
        except Exception as exc:  # html.parser gives up on some damaged markup
            raise IngestError(f"{name}: not readable as HTML ({type(exc).__name__}: {exc})", path=name) from exc
        return reflow(Document(name=name, text=text, sha256=sha, kind="html", view=view, view_map=view_map,
                               grids=grids))
    return reflow(Document(name=name, text=text, sha256=sha))


def decode(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, else a clear error."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{name}: not decodable as UTF-8 or GB18030 text", path=name)


def _reject_binary(name: str, data: bytes) -> None:
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise IngestError(f"{name}: binary input ({what}); convert it to text or HTML first", path=name)
    head = data[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if b"\x00" in head or controls > len(head) // 20:
        raise IngestError(f"{name}: binary input (control bytes); expected text or HTML", path=name)


def _original(name: str, data: bytes) -> Document | None:
    """PDF and Word files (by their magic bytes, or a .doc/.wps suffix) through their readers."""
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF") or (suffix == ".pdf" and b"%PDF" in data[:1024]):
        from pipeline.formats.pdf import read_pdf

        return read_pdf(name, data)
    if data.startswith(b"PK\x03\x04"):
        from pipeline.formats.docx import read_docx

        return read_docx(name, data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix in (".doc", ".wps"):
        from pipeline.formats.office import read_office

        return read_office(name, data)
    return None


def _is_html(name: str, text: str) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return True
    if suffix in TEXT_SUFFIXES - {""}:
        return False
    head = text[:2000].lower()
    return "<html" in head or "<table" in head or "<!doctype html" in head
