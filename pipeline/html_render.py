"""Render HTML to a line-oriented view with a map back to source offsets, and tables to real grids.

Block elements become lines; each table row becomes one line of tab-separated cells with
rowspan/colspan expanded (the copies are empty cells marked `spanned`).
"""

from __future__ import annotations

import re
from html.entities import name2codepoint
from html.parser import HTMLParser

from pipeline.core import Grid, GridCell, normalise

_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "header", "footer", "title", "blockquote", "pre", "hr", "dd", "dt", "caption"}
_SKIP = {"script", "style", "noscript", "template"}
_PARAGRAPH = {"p", "div", "li"}
_WS = re.compile(r"\s+")
_AREA_FLOOR = 10_000  # grid positions any table may have, whatever its cell count
_AREA_PER_CELL = 16  # above the floor: positions per cell that exists (the national forms use under 2)

Chars = list[tuple[str, int]]  # (character, source offset)


class _Cell:
    def __init__(self, rowspan: int, colspan: int) -> None:
        self.chars: Chars = []
        self.rowspan = rowspan
        self.colspan = colspan


class _Tolerant(HTMLParser):
    """html.parser, minus its assertion on malformed `<![...` sections (seen in damaged pages)."""

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            j = self.rawdata.find(">", i)
            return -1 if j < 0 else j + 1


class _LayoutTables(_Tolerant):
    """First pass: the tables that contain other tables are page layout, not data grids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.count = 0
        self.stack: list[int] = []
        self.layout: set[int] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.layout.update(self.stack)
            self.stack.append(self.count)
            self.count += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.stack:
            self.stack.pop()


class _Renderer(_Tolerant):
    def __init__(self, text: str, layout: set[int]) -> None:
        super().__init__(convert_charrefs=False)
        self.layout = layout  # ordinals of layout tables: rendered as blocks
        self.table_count = 0
        self.src = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.view: list[str] = []
        self.vmap: list[int] = []
        self.grids: list[Grid] = []
        self.skip = 0
        self.tables: list[list[list[_Cell]]] = []  # stack of data tables: rows of cells
        self.layout_stack: list[bool] = []  # for every open <table>: is it a layout table
        self.paragraphs: list[int] = []  # view length at each open <p>/<div>
        self.cell: list[_Cell | None] = []

    # -- helpers
    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _emit(self, chars: Chars) -> None:
        for ch, off in chars:
            self.view.append(ch)
            self.vmap.append(off)

    def _newline(self) -> None:
        if self.view and self.view[-1] != "\n":
            self._emit([("\n", self._offset())])

    def _text(self, data: str, offset: int) -> None:
        if self.skip:
            return
        chars: Chars = []
        for i, ch in enumerate(data):
            if ch.isspace():
                if chars and chars[-1][0] == " ":
                    continue
                ch = " "
            chars.append((ch, offset + i))
        if self.cell and self.cell[-1] is not None:
            self.cell[-1].chars.extend(chars)
        elif not self.tables:
            if self.view and self.view[-1] in " \n" and chars and chars[0][0] == " ":
                chars = chars[1:]
            self._emit(chars)

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            ordinal, self.table_count = self.table_count, self.table_count + 1
            if ordinal in self.layout:
                self.layout_stack.append(True)
                self._newline()
                return
            self.layout_stack.append(False)
        if tag in ("tr", "td", "th") and True in self.layout_stack and not self.tables:
            self._newline()
        elif tag in _SKIP:
            self.skip += 1
        elif tag == "table":
            self._newline()
            self.tables.append([])
            self.cell.append(None)
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            if not self.tables[-1]:
                self.tables[-1].append([])
            a = dict(attrs)
            cell = _Cell(_span(a.get("rowspan")), _span(a.get("colspan")))
            self.tables[-1][-1].append(cell)
            self.cell[-1] = cell
        elif tag in _BLOCK:
            if self.cell and self.cell[-1] is not None:
                self.cell[-1].chars.append((" ", self._offset()))
            elif not self.tables:
                self._newline()
                if tag in _PARAGRAPH:
                    self.paragraphs.append(len(self.view))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.layout_stack and self.layout_stack.pop():
            self._newline()
            return
        if tag in ("tr", "td", "th") and True in self.layout_stack and not self.tables:
            self._newline()
        elif tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "table" and self.tables:
            rows = self.tables.pop()
            self.cell.pop()
            self._emit_table(rows)
        elif tag in ("td", "th") and self.cell:
            self.cell[-1] = None
        elif tag in _BLOCK and not self.tables:
            if tag in _PARAGRAPH and self.paragraphs and self.paragraphs.pop() == len(self.view):
                self._emit([("\t", self._offset())])  # an empty paragraph: an empty cell in a cell-per-paragraph table
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("td", "th", "table", "tr"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        self._text(data, self._offset())

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._text(chr(code) if code else f"&{name};", self._offset())

    def handle_charref(self, name: str) -> None:
        try:
            ch = chr(int(name[1:], 16)) if name.lower().startswith("x") else chr(int(name))
        except (ValueError, OverflowError):  # not a number, or past the last code point
            ch = " "
        self._text(ch, self._offset())

    # -- tables
    def _emit_table(self, rows: list[list[_Cell]]) -> None:
        grid = _expand(rows)
        start = len(self.view)
        out_rows: list[tuple[GridCell, ...]] = []
        for row in grid:
            cells: list[GridCell] = []
            for j, (cell, spanned) in enumerate(row):
                if j:
                    self._emit([("\t", self.vmap[-1] if self.vmap else 0)])
                chars = [] if spanned or cell is None else _strip(cell.chars)
                begin = len(self.view)
                self._emit(chars)
                text = "".join(ch for ch, _ in (_strip(cell.chars) if cell is not None else []))
                cells.append(GridCell(normalise(text), begin, len(self.view), spanned))
            self._emit([("\n", self.vmap[-1] if self.vmap else 0)])
            out_rows.append(tuple(cells))
        self.grids.append(Grid(start, len(self.view), tuple(out_rows)))


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _strip(chars: Chars) -> Chars:
    i, j = 0, len(chars)
    while i < j and chars[i][0].isspace():
        i += 1
    while j > i and chars[j - 1][0].isspace():
        j -= 1
    return [(" " if ch in "\t\n" else ch, off) for ch, off in chars[i:j]]


def _expand(rows: list[list[_Cell]]) -> list[list[tuple[_Cell | None, bool]]]:
    """Place cells on a grid honouring rowspan/colspan; copies are (cell, True).

    The grid is bounded by the cells that exist: a rowspan ends at the table's last row, and a
    table whose spans would make a grid of more than `_AREA_PER_CELL` positions per cell (and over
    `_AREA_FLOOR`) is laid out with its spans ignored, so cost stays linear in the input.
    """
    n_cells = sum(len(row) for row in rows)
    budget = max(_AREA_FLOOR, _AREA_PER_CELL * n_cells)
    grid = _place(rows, budget)
    if grid is None:
        return [[(cell, False) for cell in row] for row in rows]
    width = max((c for (_, c) in grid), default=-1) + 1
    if width * len(rows) > budget:
        return [[(cell, False) for cell in row] for row in rows]
    return [[grid.get((r, c), (None, False)) for c in range(width)] for r in range(len(rows))]


def _place(rows: list[list[_Cell]], budget: int) -> dict[tuple[int, int], tuple[_Cell, bool]] | None:
    """The positions every cell covers, or None once they pass `budget`."""
    grid: dict[tuple[int, int], tuple[_Cell, bool]] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            rowspan = min(cell.rowspan, len(rows) - r)
            if len(grid) + rowspan * cell.colspan > budget:
                return None
            for dr in range(rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = (cell, bool(dr or dc))
            c += cell.colspan
    return grid


def render_html(text: str) -> tuple[str, list[int], list[Grid]]:
    scan = _LayoutTables()
    scan.feed(text)
    scan.close()
    renderer = _Renderer(text, scan.layout)
    renderer.feed(text)
    renderer.close()
    view = normalise("".join(renderer.view))
    return view, renderer.vmap, renderer.grids
