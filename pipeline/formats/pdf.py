"""PDF reader: the text layer and the drawn ruling lines of each page, through pypdfium2.

pypdfium2 was chosen by measurement (README): about 16 ms a page for every character box and
path object of the real example, against about 190 ms with pdfplumber (pdfminer in Python).
Characters become `Word`s (runs on one baseline, cut at wide gaps); stroked paths and thin
filled rectangles become `Rule`s. Filled boxes that are not thin are shading (a cell's, or a
whole prose line's in some Word exports) and draw no rule, so shaded prose never looks like a
table. A page with no characters but an image is a scan: it goes to OCR when that is installed.
"""

from __future__ import annotations

import ctypes
import importlib

from pipeline.core import Document, IngestError
from pipeline.formats.grid import MAX_RULES
from pipeline.formats.layout import pages_to_document
from pipeline.formats.page import Page, Rule, Word

MAX_PAGES = 80  # a 年报 is 3-40 pages; a longer PDF is not one report (and OCR of it would take hours)
GARBLED_MIN = 200  # characters: a text layer this long with no Chinese in it is not read as text
THIN = 3.0  # points: a filled rectangle thinner than this is a drawn line
OCR_HINT = "reading it needs OCR: pip install rapidocr-onnxruntime"


def read_pdf(name: str, data: bytes) -> Document:
    """A PDF with a text layer (or scanned pages, with OCR installed) as a `Document`."""
    return pages_to_document(name, data, read_pages(name, data), "pdf")


def read_pages(name: str, data: bytes) -> list[Page]:
    """The positioned words and rules of every page; `IngestError` for a PDF that cannot be read."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4 and b"/Encrypt" in data:  # FPDF_ERR_PASSWORD (may be stale)
            raise IngestError(f"{name}: encrypted PDF (password required); save an unprotected copy first",
                              path=name) from exc
        raise IngestError(f"{name}: not a readable PDF (corrupt or truncated: {exc})", path=name) from exc
    try:
        count = len(pdf)
        if count == 0:
            raise IngestError(f"{name}: PDF without pages", path=name)
        if count > MAX_PAGES:
            raise IngestError(f"{name}: {count} pages is over the {MAX_PAGES}-page limit for one report",
                              path=name, pages=count)
        pages = [_page(name, data, pdf, i) for i in range(count)]
    except pdfium.PdfiumError as exc:
        raise IngestError(f"{name}: damaged PDF page ({exc})", path=name) from exc
    finally:
        pdf.close()
    if _garbled(pages):
        return [_ocr(name, data, p.number - 1, "its text layer has no Chinese characters (fonts without a "
                     "Unicode map, or not a 年报)") if not p.ocr else p for p in pages]
    return pages


def _garbled(pages: list[Page]) -> bool:
    """A text layer of some length without one Chinese character: unmapped fonts (or no 年报)."""
    text = "".join(w.text for p in pages if not p.ocr for w in p.words)
    return len(text) >= GARBLED_MIN and not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _page(name: str, data: bytes, pdf, index: int) -> Page:  # type: ignore[no-untyped-def]
    page = pdf[index]
    try:
        width, height = page.get_size()  # as displayed (rotation applied)
        view = _Display(page.get_rotation(), width, height)
        rules, images = _rules(page, view)
        textpage = page.get_textpage()
        try:
            verticals = [r for r in rules if not r.horizontal] if len(rules) <= MAX_RULES else []
            words = _words(textpage, view, verticals)
        finally:
            textpage.close()
    finally:
        page.close()
    if not words and images:
        return _ocr(name, data, index)
    return Page(number=index + 1, width=width, height=height, words=words, rules=rules)


def _ocr(name: str, data: bytes, index: int, why: str = "") -> Page:
    try:
        ocr = importlib.import_module("pipeline.formats.ocr")
    except ImportError as exc:
        why = why or f"scanned PDF: page {index + 1} has no text layer"
        raise IngestError(f"{name}: {why}; {OCR_HINT}", path=name, page=index + 1) from exc
    page: Page = ocr.ocr_page(data, index, None)  # None: its cache under $NIANBAO_CACHE_DIR/ocr
    return page


def _words(textpage, view: _Display, verticals: list[Rule]) -> list[Word]:  # type: ignore[no-untyped-def]
    """Runs of characters on one baseline; a run ends at a space, a line change, a gap wider than a
    glyph, or a vertical rule between two characters (two table cells)."""
    import pypdfium2.raw as raw

    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    words: list[Word] = []
    run: list[tuple[str, float, float, float, float]] = []
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        if raw.FPDFText_IsGenerated(textpage.raw, i) or code in (0, 0xFFFE, 0xFFFF):
            continue
        ch = chr(code)
        if ch.isspace():
            _flush(run, words)
            continue
        raw.FPDFText_GetCharBox(textpage.raw, i, left, right, bottom, top)
        x0, y0, x1, y1 = view.box(left.value, bottom.value, right.value, top.value)
        box = (ch, x0, y0, x1, y1)
        if run and (_breaks(run[-1], box) or _ruled(run[-1], box, verticals)):
            _flush(run, words)
        run.append(box)
    _flush(run, words)
    return words


def _breaks(prev: tuple[str, float, float, float, float], cur: tuple[str, float, float, float, float]) -> bool:
    size = max(prev[4] - prev[2], cur[4] - cur[2], 1.0)
    same_line = abs((prev[2] + prev[4]) - (cur[2] + cur[4])) / 2 < size * 0.6
    return not same_line or cur[1] - prev[3] > size * 1.2 or cur[1] < prev[1] - size * 0.5


def _ruled(prev: tuple[str, float, float, float, float], cur: tuple[str, float, float, float, float],
           verticals: list[Rule]) -> bool:
    mid = (cur[2] + cur[4]) / 2
    return any(prev[3] - 1 <= v.x0 <= cur[1] + 1 and v.y0 <= mid <= v.y1 for v in verticals)


def _flush(run: list[tuple[str, float, float, float, float]], words: list[Word]) -> None:
    text = "".join(c[0] for c in run)
    if text.strip():
        words.append(Word(text, min(c[1] for c in run), min(c[2] for c in run),
                          max(c[3] for c in run), max(c[4] for c in run)))
    run.clear()


def _rules(page, view: _Display) -> tuple[list[Rule], bool]:  # type: ignore[no-untyped-def]
    """Ruling lines from the page's paths; also whether the page has images."""
    import pypdfium2.raw as raw

    rules: list[Rule] = []
    images = False
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for obj in page.get_objects(max_depth=4):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            images = True
        if obj.type != raw.FPDF_PAGEOBJ_PATH or len(rules) > MAX_RULES:
            continue
        raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke)
        for points, closed in _subpaths(obj, view):
            rules += _path_rules(points, closed, bool(fill.value), bool(stroke.value))
    return rules, images


def _subpaths(obj, view: _Display) -> list[tuple[list[tuple[float, float]], bool]]:  # type: ignore[no-untyped-def]
    """The straight subpaths of a path object in page coordinates (origin top-left), each with
    whether it is closed; subpaths with curves are left out (no rule is a curve)."""
    import pypdfium2.raw as raw

    m = obj.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[tuple[list[tuple[float, float]], bool]] = []
    points: list[tuple[float, float]] = []
    curved = closed = False
    for i in range(min(raw.FPDFPath_CountSegments(obj.raw), 4 * MAX_RULES)):
        seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO and points:
            if not curved:
                out.append((points, closed))
            points, curved, closed = [], False, False
        points.append(view.point(m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f))
        curved = curved or kind == raw.FPDF_SEGMENT_BEZIERTO
        closed = closed or bool(raw.FPDFPathSegment_GetClose(seg))
    if points and not curved:
        out.append((points, closed))
    return out


def _path_rules(points: list[tuple[float, float]], closed: bool, fill: bool, stroke: bool) -> list[Rule]:
    """A thin rectangle (filled or stroked) is one line; a stroked rectangle its four edges; a
    filled one that is not thin is shading (no rule); a stroked polyline its straight pieces."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    ring = list(zip(points, points[1:] + points[:1], strict=True))
    rect = (closed or points[0] == points[-1]) and len(points) >= 4 and all(
        abs(a[0] - b[0]) < 0.5 or abs(a[1] - b[1]) < 0.5 for a, b in ring)
    if rect and min(x1 - x0, y1 - y0) < THIN:
        return [_centre_line(x0, y0, x1, y1)] if fill or stroke else []
    if not stroke:
        return []
    if rect:
        return [Rule(x0, y0, x1, y0), Rule(x0, y1, x1, y1), Rule(x0, y0, x0, y1), Rule(x1, y0, x1, y1)]
    pairs = ring if closed else ring[:-1]
    return [Rule(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])) for a, b in pairs
            if (abs(a[0] - b[0]) < 0.5) != (abs(a[1] - b[1]) < 0.5)]


class _Display:
    """PDF user space (origin bottom-left, before the page's /Rotate) to the page as displayed
    (origin top-left, y down): a landscape page stored as a rotated portrait one reads upright."""

    def __init__(self, rotation: int, width: float, height: float) -> None:
        self.rotation = rotation % 360
        self.w, self.h = (height, width) if self.rotation in (90, 270) else (width, height)  # unrotated

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.w - x, y
        if self.rotation == 270:
            return self.h - y, self.w - x
        return x, self.h - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _centre_line(x0: float, y0: float, x1: float, y1: float) -> Rule:
    if x1 - x0 >= y1 - y0:
        y = (y0 + y1) / 2
        return Rule(x0, y, x1, y)
    x = (x0 + x1) / 2
    return Rule(x, y0, x, y1)
