"""Pages (from a PDF text layer or OCR) to a `Document`: reading-order text and real cell grids.

Per page, running headers, footers and page numbers (`- 3 -`, `— 5 —`, `第 3 页 共 8 页`) in the
top or bottom margin are dropped. Tables come from the drawn rules (`grid.py`); a table that
ends a page and one that starts the next page at the same left and right edges are one table
continued (no repeated header needed). Prose lines are joined into paragraphs: a line that runs
to the right margin continues into the next line unless that one is indented. Outside ruled
tables (an OCR'd page without rules, a table drawn without vertical rules), words on one line
separated by a gap wider than two glyphs are separated by a tab, which the table reader reads
as a cell boundary; justified prose never spreads its characters that far.

The rendered text is the document's source text (`Document.text`): record offsets point into it.
Each table row is one line of tab-separated cells, like an HTML table (`html_render`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipeline.core import Document
from pipeline.formats.grid import Piece, Table, build_table, find_pieces, line_text, lines_of
from pipeline.formats.page import Page, Rule, Word
from pipeline.formats.render import Rendering, spacer

MARGIN = 0.1  # top and bottom tenth of a page: where running headers and page numbers live
_FURNITURE = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
                        r"|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]+\s*[)）]|第[一二三四五六七八九十]+部分)")
_EDGE = 6.0  # points: two table pieces with edges this close are the same table


@dataclass
class _Line:
    page: int
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def size(self) -> float:
        return max(1.0, sorted(w.y1 - w.y0 for w in self.words)[len(self.words) // 2])


Block = _Line | Piece


def pages_to_document(name: str, data: bytes, pages: list[Page], kind: str) -> Document:
    """The pages of one file as a `Document` whose `text` is the rendering (see module doc)."""
    repeated = _running_lines(pages)
    blocks: list[Block] = []
    for page in pages:
        words = [w for w in page.words if w.text.strip()]
        pieces, rest = find_pieces(page.number, [_normal(r) for r in page.rules], words)
        rest = _keep(page, rest, repeated)
        page_blocks: list[Block] = [*pieces, *(_Line(page.number, ln) for ln in lines_of(rest))]
        blocks += sorted(page_blocks, key=lambda b: b.y0 if isinstance(b, Piece) else b.top)
    out = _Writer()
    for item in _group(blocks):
        if isinstance(item[0], Piece):
            table = build_table(item)  # type: ignore[arg-type]
            if table is not None:
                if any(c.text for row in table.rows for c in row):  # an empty frame is decoration
                    out.grid(table)
                continue
            for piece in item:
                assert isinstance(piece, Piece)
                out.lines([_Line(piece.page, ln) for ln in lines_of(piece.words)])
        else:
            out.lines(item)  # type: ignore[arg-type]
    return out.document(name, data, kind)


def _group(blocks: list[Block]) -> list[list[Piece] | list[_Line]]:
    """Runs of prose lines, and tables as lists of pieces (one per page they span)."""
    out: list[list[Piece] | list[_Line]] = []
    for i, b in enumerate(blocks):
        if isinstance(b, Piece):
            prev = out[-1] if out else None
            if prev and isinstance(prev[-1], Piece) and _continues(prev[-1], b, blocks[i - 1]):
                prev.append(b)  # type: ignore[arg-type]
            else:
                out.append([b])
        elif out and isinstance(out[-1][-1], _Line):
            out[-1].append(b)  # type: ignore[arg-type]
        else:
            out.append([b])
    return out


def _continues(a: Piece, b: Piece, before: Block) -> bool:
    """`b` starts the page after the one `a` ends, at the same left and right edges."""
    return (before is a and b.page == a.page + 1 and abs(a.x0 - b.x0) <= _EDGE and abs(a.x1 - b.x1) <= _EDGE)


class _Writer(Rendering):
    def lines(self, lines: list[_Line]) -> None:
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=0.0)
        for i, line in enumerate(lines):
            text = line_text(line.words, tabbed=True)
            self.add(spacer(self.parts[-1] if self.parts else "", text) + text)  # after a joined line
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            joined = (nxt is not None and "\t" not in text and line.x1 >= right - 1.5 * line.size
                      and nxt.x0 <= left + 0.8 * nxt.size and nxt.page in (line.page, line.page + 1)
                      and not _HEADING.match(line_text(nxt.words, tabbed=False)))
            if not joined:
                self.add("\n")

    def grid(self, table: Table) -> None:
        self.table([[(c.text, c.spanned, {"page": c.page, "box": list(c.box)}) for c in row] for row in table.rows])


def _normal(r: Rule) -> Rule:
    return Rule(min(r.x0, r.x1), min(r.y0, r.y1), max(r.x0, r.x1), max(r.y0, r.y1))


def _in_margin(page: Page, line: list[Word]) -> bool:
    top, bottom = min(w.y0 for w in line), max(w.y1 for w in line)
    return bottom < page.height * MARGIN or top > page.height * (1 - MARGIN)


def _key(line: list[Word]) -> str:
    return re.sub(r"\d+", "#", "".join(w.text for w in line).replace(" ", ""))


def _running_lines(pages: list[Page]) -> set[str]:
    """Margin lines (digits ignored) printed on more than half the pages, when there are several."""
    if len(pages) < 3:
        return set()
    seen = Counter(k for p in pages for k in {_key(ln) for ln in lines_of(p.words) if _in_margin(p, ln)})
    return {k for k, n in seen.items() if n > len(pages) / 2}


def _keep(page: Page, words: list[Word], repeated: set[str]) -> list[Word]:
    """The words outside tables minus page numbers and running lines in the margins."""
    kept: list[Word] = []
    for line in lines_of(words):
        text = "".join(w.text for w in line)
        if _in_margin(page, line) and (_FURNITURE.match(text) or _key(line) in repeated):
            continue
        kept += line
    return kept
