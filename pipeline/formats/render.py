"""The rendered text of an original (PDF or Word) and its grids: what every format reader writes.

Paragraphs are lines; a table is one line per row with its cells separated by tabs, like an
HTML table (`pipeline.html_render`). A merged cell's copies are empty in the text and marked
`spanned` in the grid. The text is the document's source text: record offsets point into it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pipeline.core import Document, Grid, GridCell, normalise

CellOut = tuple[str, bool, dict[str, Any]]  # text, spanned, where the cell is in the original file


def spacer(left: str, right: str) -> str:
    """What goes where a line wraps: a space between two Latin letters (a wrap between words),
    nothing else (Chinese has no spaces; a number or an address wrapped is one run)."""
    a, b = left[-1:], right[:1]
    return " " if a.isascii() and a.isalpha() and b.isascii() and b.isalpha() else ""


def glue(left: str, right: str) -> str:
    return left + spacer(left, right) + right


class Rendering:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.grids: list[Grid] = []
        self.locations: dict[int, dict[str, Any]] = {}

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def table(self, rows: list[list[CellOut]]) -> None:
        start = self.size
        out: list[tuple[GridCell, ...]] = []
        for row in rows:
            cells = []
            for j, (text, spanned, where) in enumerate(row):
                if j:
                    self.add("\t")
                begin = self.size
                if not spanned:
                    self.add(text)
                    if text:
                        self.locations[begin] = where
                cells.append(GridCell(normalise(text), begin, self.size, spanned))
            self.add("\n")
            out.append(tuple(cells))
        self.grids.append(Grid(start, self.size, tuple(out)))

    def document(self, name: str, data: bytes, kind: str) -> Document:
        text = "".join(self.parts)
        return Document(name=name, text=text, sha256=hashlib.sha256(data).hexdigest(), kind=kind,  # type: ignore[arg-type]
                        view=normalise(text), grids=self.grids, locations=self.locations)
