"""The positioned text of one page, whatever produced it (a PDF text layer or OCR of a scan).

A `Page` is what the format readers agree on: words with their boxes and the ruling lines
drawn on the page, in page coordinates (points, origin top-left, y growing downwards). The
layout step turns pages into reading-order text and cell grids for the table reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """A run of text on one baseline (a PDF text object's glyphs, or one OCR text box)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0  # recognition confidence; 1.0 for a text layer


@dataclass(frozen=True)
class Rule:
    """A drawn straight line: a path segment or the edge of a thin filled rectangle."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    ocr: bool = False  # words come from OCR of the page image, not from a text layer
