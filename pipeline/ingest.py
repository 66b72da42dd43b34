"""Stage 1: read a report file into a `Document` (decoded text, normalised view, HTML grids)."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from pipeline.core import Document, IngestError, normalise
from pipeline.html_render import render_html
from pipeline.reflow import reflow

MAX_BYTES = 20 * 1024 * 1024  # a real 年报 as text is well under 1 MB
MAX_ORIGINAL_BYTES = 100 * 1024 * 1024  # a PDF or Word file, images and all (a scan is large)
TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
ORIGINAL_SUFFIXES = {".pdf", ".docx", ".doc", ".wps"}
_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image"}
SUPPORTED_SUFFIXES = frozenset((TEXT_SUFFIXES - {""}) | HTML_SUFFIXES | ORIGINAL_SUFFIXES)  # what a folder is searched for
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_WIDE_BOMS = tuple(bom for bom, _ in _BOMS)
_LONE_CR = re.compile(r"\r(?!\n)")
_SAMPLE = 20_000  # characters looked at to tell GB18030 from Big5
_RARE = 0.1  # share of rare characters above which an encoding is the wrong reading


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
    if not data.startswith(_WIDE_BOMS):
        _reject_binary(name, data)
    text = decode(name, data)
    if not text.strip():
        raise IngestError(f"{name}: empty file", path=name)
    sha = hashlib.sha256(data).hexdigest()
    if _is_html(name, text):
        try:
            view, view_map, grids = render_html(text)
        except Exception as exc:  # html.parser gives up on some damaged markup
            raise IngestError(f"{name}: not readable as HTML ({type(exc).__name__}: {exc})", path=name) from exc
        return reflow(Document(name=name, text=text, sha256=sha, kind="html", view=view, view_map=view_map,
                               grids=grids))
    # Old Mac line ends (CR only) become LF in the view, one character for one, so offsets still hold.
    return reflow(Document(name=name, text=text, sha256=sha, view=_LONE_CR.sub("\n", normalise(text))))


def decode(name: str, data: bytes) -> str:
    """UTF-16/32 with a BOM; UTF-8 (with or without BOM); else GB18030, or Big5 when the bytes are
    clearly Big5; else a clear error."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(f"{name}: starts with a {encoding} byte-order mark but is not {encoding} text "
                                  f"(byte {exc.start + len(bom)})", path=name) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _rare_share(text, _common_gb) <= _RARE:
        return text
    try:
        big5 = data.decode("cp950")  # Big5 as Windows writes it
    except UnicodeDecodeError:
        big5 = ""
    if big5 and _rare_share(big5, _common_big5) <= _RARE:
        return big5
    what = "GB18030 and Big5 both give rare characters" if text else "not GB18030 either"
    raise IngestError(f"{name}: not decodable as UTF-8, GB18030 or Big5 text ({what}; which encoding is it?)",
                      path=name)


def _rare_share(text: str, common: Callable[[str], bool]) -> float:
    """Of the Chinese characters at the start of `text`, the share that are not `common`. Chinese prose
    decoded right has almost none (a 年报 in GB: under 1% outside GB2312); bytes decoded with the
    wrong one of GB18030 and Big5 give 30% or more."""
    han = [ch for ch in text[:_SAMPLE] if "\u4e00" <= ch <= "\u9fff"]
    if len(han) < 20:
        return 0.0
    return sum(1 for ch in han if not common(ch)) / len(han)


def _common_gb(ch: str) -> bool:
    """One of GB2312's 6,763 characters."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _common_big5(ch: str) -> bool:
    """One of Big5's 5,401 frequent characters (level 1, 0xA440-0xC67E)."""
    try:
        code = int.from_bytes(ch.encode("cp950"), "big")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= code <= 0xC67E


def _reject_binary(name: str, data: bytes) -> None:
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise IngestError(f"{name}: binary input ({what}); convert it to text or HTML first", path=name)
    head = data[:4096]
    if b"\x00" in head and _utf16_without_bom(head):
        raise IngestError(f"{name}: looks like UTF-16 text without a byte-order mark; save it as UTF-8 "
                          "(or UTF-16 with a BOM)", path=name)
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


def _utf16_without_bom(head: bytes) -> bool:
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = head[:len(head) // 2 * 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        plain = sum(1 for ch in text if " " <= ch <= "~" or ch in "\t\n\r" or "\u4e00" <= ch <= "\u9fff"
                    or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
        if text.strip() and plain > 0.9 * len(text):
            return True
    return False


def _is_html(name: str, text: str) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return True
    if suffix in TEXT_SUFFIXES - {""}:
        return False
    head = text[:2000].lower()
    return "<html" in head or "<table" in head or "<!doctype html" in head
