"""OCR of one scanned PDF page into a `Page`: words with boxes and the ruling lines of the scan.

The page is rendered with pypdfium2 (long side capped at `MAX_SIDE_PX`, which bounds the time
and memory one page can take) and read by RapidOCR (PP-OCRv4 Chinese detection and recognition,
ONNX models shipped inside the `rapidocr-onnxruntime` wheel, run offline on the CPU) once the
page is straightened (`deskew`). Rules are found in the bitmap (`scan_rules.find_rules`). A word
read across ruled cells is cut at the rules and its pieces read alone; a table cell the detector
found no text in but that holds ink (small isolated digits such as a lone `0` are what the
detector misses most) is recognised again on its own crop. Results are cached as JSON by the
sha256 of the page image (and `OCR_VERSION`), so a rerun of a scan costs nothing.

Coordinates: the `Page` is in PDF points, origin top-left, like the text-layer reader's (of the
straightened page when the scan was skewed).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import DEFAULT_CACHE_DIR
from pipeline.core import IngestError
from pipeline.formats.deskew import deskew
from pipeline.formats.page import Page, Rule, Word
from pipeline.formats.scan_rules import find_rules

OCR_VERSION = "rapidocr-onnxruntime/PP-OCRv4 nianbao-ocr.3"  # in every cache key: bump on any change
INSTALL_HINT = "OCR needs the ocr extra: pip install 'nianbao[ocr]' (rapidocr-onnxruntime)"
MAX_SIDE_PX = 2000  # RapidOCR's own detector limit; ~170 dpi on A4
TEXT_SCORE = 0.3  # recognitions below this confidence are dropped (lone digits score 0.4-0.9)
CELL_SCORE = 0.5  # a cell re-read on its own crop must be at least this sure
MAX_REREADS = 200  # cells re-read per page at most (~0.1 s each): a page's time stays bounded
INK = 128

Progress = Callable[[str], None]


def ocr_page(pdf_bytes: bytes, page_index: int, cache_dir: Path | None = None, *,
             progress: Progress | None = None) -> Page:
    """OCR page `page_index` (0-based) of a PDF. `cache_dir` None: $NIANBAO_CACHE_DIR/ocr
    (default ~/.cache/nianbao/ocr). `progress` gets one line per page (default: stderr)."""
    say = progress or _stderr
    started = time.monotonic()
    image, width, height, count = _render(pdf_bytes, page_index)
    scale = image.shape[1] / width
    digest = hashlib.sha256(OCR_VERSION.encode() + repr(image.shape).encode() + image.tobytes()).hexdigest()
    path = (cache_dir or Path(os.environ.get("NIANBAO_CACHE_DIR") or DEFAULT_CACHE_DIR) / "ocr") / f"{digest}.json"
    found = _load(path)
    if found is None:
        found = _read_image(image, scale)
        _store(path, found)
        how = f"{time.monotonic() - started:.1f} s" + (f", straightened by {found['skew_deg']}°" if found["skew_deg"] else "")
    else:
        how = "cached"
    words, rules = _to_points(found, scale)
    say(f"OCR page {page_index + 1}/{count}: {len(words)} text boxes, {len(rules)} rules ({how})")
    return Page(number=page_index + 1, width=width, height=height, words=words, rules=rules, ocr=True)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _render(pdf_bytes: bytes, page_index: int) -> tuple[np.ndarray, float, float, int]:
    """The page as a greyscale image whose long side is MAX_SIDE_PX, its size in points, the page count."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(pdf_bytes)
    except pdfium.PdfiumError as exc:
        raise IngestError(f"not a readable PDF for OCR: {exc}", page=page_index + 1) from exc
    try:
        count = len(pdf)
        if not 0 <= page_index < count:
            raise IngestError(f"page {page_index + 1} asked for OCR, the PDF has {count}", page=page_index + 1)
        page = pdf[page_index]
        width, height = page.get_size()
        if min(width, height) <= 0:
            raise IngestError(f"page {page_index + 1} has an empty size", page=page_index + 1)
        scale = MAX_SIDE_PX / max(width, height)
        image = page.render(scale=scale, grayscale=True).to_numpy()
        page.close()
    finally:
        pdf.close()
    if image.ndim == 3:  # some pdfium builds hand back a channel axis even for greyscale
        image = image[:, :, 0]
    return np.ascontiguousarray(image), float(width), float(height), count


def ocr_installed() -> bool:
    """Whether scanned pages can be read here (rapidocr-onnxruntime importable)."""
    try:
        _engine()
    except IngestError:
        return False
    return True


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise IngestError(f"scanned page (no text layer): {INSTALL_HINT}", missing="rapidocr_onnxruntime") from exc
    return RapidOCR()


def _read_image(image: np.ndarray, scale: float) -> dict[str, Any]:
    """OCR and rules of one page image, in pixels (the cache's form)."""
    engine = _engine()
    image, skew = deskew(image)
    result, _ = engine(image, use_cls=False, text_score=TEXT_SCORE)
    words = [_word(box, text, score) for box, text, score in result or []]
    words = [w for w in words if w[0]]
    rules = [r for r in find_rules(image, scale) if not _in_text(r, words)]
    words = _split_at_rules(engine, image, words, rules)
    words += _reread_cells(engine, image, words, rules, scale)
    return {"version": OCR_VERSION, "shape": list(image.shape), "skew_deg": skew, "words": words,
            "rules": [[r.x0, r.y0, r.x1, r.y1] for r in rules]}


def _in_text(rule: Rule, words: list[list[Any]]) -> bool:
    """A rule no longer than a line of text whose middle lies inside a recognised word is a
    stroke of it (the `1` of a cell). A longer one is a rule the word was read across."""
    x, y = (rule.x0 + rule.x1) / 2, (rule.y0 + rule.y1) / 2
    length = max(rule.x1 - rule.x0, rule.y1 - rule.y0)
    return any(w[1] < x < w[3] and w[2] < y < w[4] and length < 1.5 * (w[4] - w[2]) for w in words)


def _split_at_rules(engine: Any, image: np.ndarray, words: list[list[Any]], rules: list[Rule]) -> list[list[Any]]:
    """A word the detector ran across ruled cells (a header line of table 四) is cut at the
    vertical rules crossing it, and each piece recognised alone; a piece not read is dropped."""
    verticals = [r for r in rules if not r.horizontal]
    out = []
    for word in words:
        _, x0, y0, x1, y1, _ = word
        third = (y1 - y0) / 3
        cuts = sorted(r.x0 for r in verticals if x0 + 2 < r.x0 < x1 - 2 and r.y0 <= y0 + third and r.y1 >= y1 - third)
        if not cuts:
            out.append(word)
            continue
        edges = [x0, *cuts, x1]
        for a, b in zip(edges, edges[1:], strict=False):
            crop = _ink_crop(image, round(a), round(y0), round(b - a), round(y1 - y0), y1 - y0)
            piece = _recognise(engine, crop)
            if piece:
                out.append(piece)
    return out


def _recognise(engine: Any, crop: tuple[np.ndarray, tuple[float, float, float, float]] | None) -> list[Any] | None:
    """Recognition alone (no detection) of one cut-out line: the word, if read surely enough."""
    if crop is None:
        return None
    out, _ = engine(crop[0], use_det=False, use_cls=False)
    text, score = (out or [["", 0.0]])[0]
    text = _clean(text)
    return [text, *crop[1], round(float(score), 4)] if score >= CELL_SCORE and text else None


def _word(box: Any, text: str, score: float) -> list[Any]:
    xs = [float(p[0]) for p in box]
    ys = [float(p[1]) for p in box]
    return [_clean(text), min(xs), min(ys), max(xs), max(ys), round(float(score), 4)]


def _clean(text: str) -> str:
    """Letters the recogniser mistakes for digits, fixed only in a word that is otherwise a number."""
    text = text.strip()
    if re.fullmatch(r"[0-9Oo]+", text):
        return text.replace("O", "0").replace("o", "0")
    if re.fullmatch(r"[0-9Il|]*[0-9][0-9Il|]*", text):
        return re.sub(r"[Il|]", "1", text)
    return text


def _reread_cells(engine: Any, image: np.ndarray, words: list[list[Any]], rules: list[Rule],
                  scale: float) -> list[list[Any]]:
    """Recognition alone on each ruled cell that holds ink but no detected word."""
    import cv2

    if not rules:
        return []
    heights = sorted(w[4] - w[2] for w in words) or [12 * scale]
    line_px = heights[len(heights) // 2]
    grid = np.full(image.shape, 255, np.uint8)
    for r in rules:
        cv2.line(grid, (round(r.x0), round(r.y0)), (round(r.x1), round(r.y1)), 0, max(3, round(scale)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=4)
    found = []
    tried = 0
    rows, cols = image.shape
    for x, y, w, h, _area in stats[1:count]:
        if x == 0 or y == 0 or x + w >= cols or y + h >= rows or w * h > rows * cols / 4:
            continue  # the page around the tables, not a cell
        if any(x <= (wd[1] + wd[3]) / 2 <= x + w and y <= (wd[2] + wd[4]) / 2 <= y + h for wd in words):
            continue
        crop = _ink_crop(image, x, y, w, h, line_px)
        if crop is None or tried >= MAX_REREADS:
            continue
        tried += 1
        word = _recognise(engine, crop)
        if word:
            found.append(word)
    return found


def _ink_crop(image: np.ndarray, x: int, y: int, w: int, h: int,
              line_px: float) -> tuple[np.ndarray, tuple[float, float, float, float]] | None:
    """The inked part of a cell (a few pixels of margin), if it is one line of something."""
    inset = 3
    inner = image[y + inset:y + h - inset, x + inset:x + w - inset]
    ys, xs = np.nonzero(inner < INK)
    if len(ys) < 6 or ys.max() - ys.min() > 2.2 * line_px:
        return None
    pad = 4
    y0, y1 = y + inset + int(ys.min()), y + inset + int(ys.max()) + 1
    x0, x1 = x + inset + int(xs.min()), x + inset + int(xs.max()) + 1
    crop = image[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]
    return crop, (float(x0), float(y0), float(x1), float(y1))


def _to_points(found: dict[str, Any], scale: float) -> tuple[list[Word], list[Rule]]:
    words = [Word(t, x0 / scale, y0 / scale, x1 / scale, y1 / scale, score)
             for t, x0, y0, x1, y1, score in found["words"]]
    words.sort(key=lambda w: (round(w.y0), w.x0))
    rules = [Rule(x0 / scale, y0 / scale, x1 / scale, y1 / scale) for x0, y0, x1, y1 in found["rules"]]
    return words, rules


def _load(path: Path) -> dict[str, Any] | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("version") != OCR_VERSION:
        return None
    return found


def _store(path: Path, found: dict[str, Any]) -> None:
    """Atomic write; a cache that cannot be written only costs the next run its time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        _stderr(f"OCR cache not written ({path.parent}): {exc}")
