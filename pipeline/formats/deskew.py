"""Straighten a scanned page: a scan is rarely square to the glass, and a table whose rules
slope by half a degree no longer has straight runs of ink for `scan_rules` to find, nor rows
for the layout to line up.

The angle is the one whose horizontal projection of the ink is sharpest (text lines and rules
then fall into as few pixel rows as possible), searched coarse-to-fine within a few degrees on a
reduced copy of the page. The page is rotated about its centre; coordinates read off the
straightened image differ from the scan's by at most a few points near the page edges.
"""

from __future__ import annotations

import numpy as np

MAX_DEG = 3.0  # scans slope by well under this; a page turned further is not a skew
MIN_DEG = 0.05  # below this nothing is rotated (and the coordinates stay exact)
WORK_WIDTH = 1000  # px of the reduced copy the angle is measured on
INK = 160


def deskew(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The greyscale page straightened, and the angle (degrees, counter-clockwise) it was turned by."""
    import cv2

    factor = min(1.0, WORK_WIDTH / image.shape[1])
    small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    ink = (small < INK).astype(np.float32)
    if ink.sum() < 50:
        return image, 0.0
    angle = _best(cv2, ink, np.arange(-MAX_DEG, MAX_DEG + 1e-9, 0.25))
    angle = _best(cv2, ink, np.arange(angle - 0.25, angle + 0.25 + 1e-9, 0.05))
    if abs(angle) < MIN_DEG:
        return image, 0.0
    return _rotate(cv2, image, angle, 255.0), angle


def _best(cv2, ink: np.ndarray, angles: np.ndarray) -> float:  # type: ignore[no-untyped-def]
    scores = [float(np.var(_rotate(cv2, ink, float(a), 0.0).sum(axis=1))) for a in angles]
    return round(float(angles[int(np.argmax(scores))]), 2)


def _rotate(cv2, image: np.ndarray, angle: float, border: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    rows, cols = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((cols / 2, rows / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=border)
