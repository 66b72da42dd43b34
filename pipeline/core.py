"""Shared types of the pipeline stages. Imports no stage (only the record's schema).

Offsets: every stage works on `Document.view`, a text of the same length as the decoded source
for plain text (a 1:1 character normalisation), or a rendering of the HTML for web pages.
`Document.to_source` maps a view span back to offsets in the decoded source text, which is what
the record reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from schemas.record import Finding

# ---- errors ------------------------------------------------------------------------------------


class NianbaoError(Exception):
    """Root of every error the pipeline raises on purpose. Carries structured data."""

    stage = "pipeline"

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message


class IngestError(NianbaoError):
    stage = "ingest"


class SectionsError(NianbaoError):
    stage = "sections"


class TablesError(NianbaoError):
    stage = "tables"


class ValidateError(NianbaoError):
    stage = "validate"


class ExtractError(NianbaoError):
    stage = "extract"


class ConfigError(NianbaoError):
    stage = "config"


class LLMError(NianbaoError):
    stage = "llm"


class OutputError(NianbaoError):
    stage = "output"


class EvalError(NianbaoError):
    stage = "eval"


class ReviewError(NianbaoError):
    stage = "review"


class BatchError(NianbaoError):
    """A batch that cannot start (colliding output names, nothing to read, unwritable output)."""

    stage = "batch"


# ---- normalisation -------------------------------------------------------------------------------

_ONE_TO_ONE = {0xA0: " ", 0x3000: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0xFEFF: " ", 0x200B: " "}
_ONE_TO_ONE.update({0xFF10 + i: str(i) for i in range(10)})  # full-width digits
_ONE_TO_ONE.update({0xFF08: "(", 0xFF09: ")", 0xFF0C: ",", 0xFF1A: ":", 0xFF1B: ";", 0xFF05: "%",
                    0xFF0E: ".", 0xFF0B: "+", 0xFF0D: "-", 0x2212: "-", 0xFF5C: "|", 0xFF0F: "/"})
_ONE_TO_ONE.update({ord(c): "-" for c in "─━═"})  # box-drawing tables: rules become `|---|`, bars `|`
_ONE_TO_ONE.update({ord(c): "|" for c in "│┃║┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬"})
NORMALISE = str.maketrans(_ONE_TO_ONE)


_TO_NORMALISE = {chr(k): v for k, v in NORMALISE.items()}
_NORMALISED = re.compile("[" + re.escape("".join(_TO_NORMALISE)) + "]")


def normalise(text: str) -> str:
    """1:1 character normalisation: the result has the same length, so offsets carry over.
    (A regex over the few characters that change: several times faster than `str.translate` on CJK text.)"""
    return _NORMALISED.sub(lambda m: _TO_NORMALISE[m.group()], text)


_SPACES = re.compile(r"\s+")


MARKDOWN_MARKS = re.compile(r"^[#>*\s]+|[*\s]+$")  # `## 一、总体情况`, `**一、总体情况**`


def squash(text: str) -> str:
    """Normalise and drop all whitespace, for matching labels such as `商 业 企 业`."""
    return _SPACES.sub("", normalise(text))


# ---- documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    text: str
    start: int  # view offsets
    end: int
    spanned: bool = False  # a copy made by rowspan/colspan, not a cell of its own


@dataclass(frozen=True)
class Grid:
    """A real table (from HTML): rows of cells, spans expanded. Located in the view."""

    start: int
    end: int
    rows: tuple[tuple[GridCell, ...], ...]


@dataclass
class Document:
    name: str
    text: str  # the decoded source text
    sha256: str
    kind: Literal["text", "html", "pdf", "docx"] = "text"
    view: str = ""
    view_map: list[int] | None = None  # view index -> source index; None = identity
    grids: list[Grid] = field(default_factory=list)
    # PDF/Word: view start of a grid cell's text -> where the cell is in the original file,
    # {"page": n, "box": [x0, y0, x1, y1]} (points, origin top-left) or {"table": t, "row": r, "col": c}
    locations: dict[int, dict[str, Any]] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)  # per-document caches

    def __post_init__(self) -> None:
        if not self.view:
            self.view = normalise(self.text)

    def location(self, start: int) -> dict[str, Any]:
        """Where the grid cell holding view offset `start` is in the original file ({} if nowhere)."""
        if not self.locations or start in self.locations:
            return self.locations.get(start, {})
        for grid in self.grids:
            if grid.start <= start < grid.end:
                for row in grid.rows:
                    cell = next((c for c in row if c.start <= start < c.end), None)
                    if cell is not None:
                        return self.locations.get(cell.start, {})
        return {}

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        if self.view_map is None:
            return start, end
        if start >= len(self.view_map):
            return len(self.text), len(self.text)
        last = self.view_map[max(start, end - 1)] + 1 if end > start else self.view_map[start]
        if end > start and self.text[last - 1] == "&":  # the last character came from an entity
            semi = self.text.find(";", last, last + 10)
            last = semi + 1 if semi != -1 else last
        return self.view_map[start], last


# ---- sections --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    start: int  # view offsets: heading start
    end: int  # next section's heading start, or end of text
    body_start: int  # first character after the heading line


# ---- table results -------------------------------------------------------------------------------


@dataclass
class CellValue:
    path: str  # dotted path, e.g. "applications.granted.total"
    value: int | float | None
    start: int | None = None  # view span of the text the value was read from
    end: int | None = None


def finding(rule: str, severity: Literal["error", "warning"], message: str,
            cells: list[str] | None = None) -> Finding:
    """A finding of a stage, in the record's own type."""
    return Finding(rule=rule, severity=severity, message=message, cells=list(cells or []))


@dataclass
class TableResult:
    """What a table parser read: cells by path (with spans), its findings, its detected template."""

    table: str  # "active_disclosure" | "applications" | "review_litigation"
    template: str | None
    cells: dict[str, CellValue] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    found: bool = True  # False when the section or the table is absent

    def value(self, path: str) -> int | float | None:
        cell = self.cells.get(path)
        return None if cell is None else cell.value
