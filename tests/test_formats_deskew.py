"""Straightening a skewed scan (pipeline/formats/deskew.py) so its table rules are found again."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2", reason="OpenCV comes with the ocr extra")

from pipeline.formats.deskew import _rotate, deskew  # noqa: E402
from pipeline.formats.scan_rules import find_rules  # noqa: E402

SCAN = Path(__file__).resolve().parent / "data" / "formats" / "scan_2021.pdf"
SCALE = 2000 / 842  # px per pt: an A4 page rendered as ocr_page renders it


@cache
def _page() -> np.ndarray:
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(SCAN)[2].render(scale=SCALE, grayscale=True).to_numpy().copy()


def _counts(image: np.ndarray) -> tuple[int, int]:
    rules = find_rules(image, SCALE)
    return sum(r.horizontal for r in rules), sum(not r.horizontal for r in rules)


@pytest.mark.parametrize("skew", [
    pytest.param(0.4, id="0.4-degrees"),
    pytest.param(-0.8, id="minus-0.8-degrees"),
    pytest.param(1.5, id="1.5-degrees"),
])
def test_a_skewed_scan_is_straightened_and_its_rules_found(skew: float):
    straight = _counts(_page())
    skewed = _rotate(cv2, _page(), -skew, 255.0)
    assert _counts(skewed) != straight  # the skew does lose rules
    image, angle = deskew(skewed)
    assert angle == pytest.approx(skew, abs=0.051)
    assert _counts(image) == straight


def test_a_straight_page_is_left_as_it_is():
    image, angle = deskew(_page())
    assert angle == 0.0 and image is _page()


def test_a_blank_page_is_left_as_it_is():
    blank = np.full((400, 300), 255, np.uint8)
    assert deskew(blank) == (blank, 0.0)
