"""Ruling lines of a scanned page, found in its bitmap by morphology.

A scan has no path objects: the table grid is only dark pixels. Opening the ink mask with a
long thin kernel keeps the straight runs (rules) and drops the glyphs; each remaining component
is a rule candidate. Short candidates (a `——` blank marker, the stroke of a `1`) are kept only
when both their ends meet a rule of the other direction, as the segments of a grid do; long ones
are kept as they are (a three-line table has no vertical rules at all).

Coordinates here are pixels of the image given, origin top-left; `scale` is pixels per point,
used only to turn the thresholds (stated in points) into pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.formats.page import Rule

INK = 150  # a grey level below this is ink (rules in scans are black or dark grey)
MIN_H_PT = 18.0  # shortest horizontal rule candidate (a narrow table-四 cell is ~30 pt)
MIN_V_PT = 9.0  # shortest vertical candidate (one row of a table is 12-20 pt)
LONG_PT = 60.0  # a candidate this long is a rule without meeting another
MAX_THICK_PT = 3.0  # thicker runs are filled areas or bold glyph strokes, not rules
TOUCH_PT = 1.5  # how far apart two rules may end and still meet


@dataclass(frozen=True)
class _Run:
    """A straight run of ink in pixels: along [a0, a1] at cross position c (thickness t)."""

    a0: float
    a1: float
    c: float
    t: float


def find_rules(image: np.ndarray, scale: float) -> list[Rule]:
    """The horizontal and vertical rules of a greyscale page image, in pixel coordinates."""
    import cv2  # comes with rapidocr; imported here so the module loads without it

    ink = (image < INK).astype(np.uint8)
    horizontal = _runs(cv2, ink, scale, horizontal=True)
    vertical = _runs(cv2, ink, scale, horizontal=False)
    tol = TOUCH_PT * scale
    long_px = LONG_PT * scale
    kept_h = [h for h in horizontal if h.a1 - h.a0 >= long_px or _framed(h, vertical, tol)]
    kept_v = [v for v in vertical if v.a1 - v.a0 >= long_px or _framed(v, kept_h, tol)]
    rules = [Rule(h.a0, h.c, h.a1, h.c) for h in kept_h]
    rules += [Rule(v.c, v.a0, v.c, v.a1) for v in kept_v]
    return rules


def _runs(cv2, ink: np.ndarray, scale: float, *, horizontal: bool) -> list[_Run]:  # type: ignore[no-untyped-def]
    """Straight runs of ink at least the minimum length long, bridging gaps of a pixel or two."""
    length = max(8, round((MIN_H_PT if horizontal else MIN_V_PT) * scale))
    shape = (length, 1) if horizontal else (1, length)  # cv2 kernel size is (width, height)
    bridge = (3, 1) if horizontal else (1, 3)
    mask = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    max_thick = max(2.0, MAX_THICK_PT * scale)
    runs = []
    for x, y, w, h, _area in stats[1:count]:
        along, across = (w, h) if horizontal else (h, w)
        if along < length or across > max_thick:
            continue
        if horizontal:
            runs.append(_Run(float(x), float(x + w), y + h / 2, float(h)))
        else:
            runs.append(_Run(float(y), float(y + h), x + w / 2, float(w)))
    return runs


def _framed(run: _Run, across: list[_Run], tol: float) -> bool:
    """Both ends of the run meet a run of the other direction (within tol)."""
    meets = [o.c for o in across if o.a0 - tol <= run.c <= o.a1 + tol]
    return any(abs(c - run.a0) <= tol for c in meets) and any(abs(c - run.a1) <= tol for c in meets)
