"""Align the rows read from a table to the national template's row sequence.

The row reader anchors runs of values to template rows by their labels. Some runs have no label
it can recognise: a PDF-to-Markdown conversion prints a row of numbers with its label elsewhere,
or only a fragment of a long label (`行政机关不再处理其政府信息公`). The template fixes the order of
its rows, so a run of values that stands between two anchored rows belongs to one of the template
rows missing between them. A run is placed only when that leaves one way to do it: as many
orphan runs of the right width as missing rows, in order, and an orphan's label fragment (if it
has one) not part of another row's label only. Everything else stays unplaced.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.tables.arith import Equation
from pipeline.tables.rows import RowRead
from pipeline.tables.tokens import Token

_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")


@dataclass(frozen=True)
class Placement:
    key: str
    after: str | None  # the anchored row before the run (None: the table's start)
    before: str | None  # the anchored row after it (None: the table's end)


def align(rows: list[RowRead], order: list[str], width: Callable[[str], int],
          canon: dict[str, str]) -> tuple[list[RowRead], list[Placement]]:
    """Rows with every placeable orphan run given its template row; orphans left are dropped."""
    rows = [r for r in rows if r.key is None or r.cells]  # bare labels: their rows are missing
    present = {r.key for r in rows if r.key is not None}
    out: list[RowRead] = []
    placed: list[Placement] = []
    segment: list[RowRead] = []
    last: str | None = None
    for row in [*rows, None]:
        if row is not None and row.key is None:
            segment.append(row)
            continue
        nxt = row.key if row is not None else None
        if segment:
            gap = _missing_between(order, last, nxt, present)
            runs = [r for r in segment if _values(r.cells) > 0]
            if runs and len(runs) == len(gap) and all(_fits(r, k, width, canon) for r, k in zip(runs, gap, strict=True)):
                for r, k in zip(runs, gap, strict=True):
                    out.append(RowRead(k, r.label, r.cells, r.text, r.before, r.borrowed))
                    placed.append(Placement(k, last, nxt))
            segment = []
        if row is not None:
            out.append(row)
            last = row.key
    return out, placed


def _missing_between(order: list[str], after: str | None, before: str | None, present: set[str]) -> list[str]:
    lo = order.index(after) + 1 if after in order else 0
    hi = order.index(before) if before in order else len(order)
    return [k for k in order[lo:hi] if k not in present]


def _values(cells: list[Token]) -> int:
    """Value cells (numbers and blanks) among a row's tokens."""
    return sum(1 for t in cells if t.kind in ("num", "blank"))


def _fits(row: RowRead, key: str, width: Callable[[str], int], canon: dict[str, str]) -> bool:
    """As many value cells as the row has columns, and no label fragment that belongs to another
    row only (a garbled OCR label belongs to none and does not stop the placement)."""
    if _values(row.cells) != width(key):
        return False
    text = _NOT_CJK.sub("", row.text) if row.label.kind == "text" else ""
    if len(text) < 4 or text in canon.get(key, ""):
        return True
    return not any(text in label for k, label in canon.items() if k != key)


NOTE_COLUMNS = {  # words of a cell's note that name its column (table 二, template 2021)
    "repealed": re.compile(r"废止|失效|废除|修订"),  # `其中修订16件` sits in 本年废止件数 (sh_bgt_2025)
    "issued": re.compile(r"制发|新制定|印发|出台"),
    "in_force": re.compile(r"现行有效"),
}


def place_noted(rows: list[RowRead], tokens: list[Token], names: Callable[[str], tuple[str, ...]]) -> list[str]:
    """Cells printed outside table 二 with a note, `22（其中修订16件）` (a converter lifts a cell of
    two lines out of its table, and the cells of its column with it): the loose values, in order,
    go to the rows one value short, at the column the notes name. Only when there are as many
    loose values as short rows and the notes name one column; returns the rows filled."""
    orphan_starts = {t.start for r in rows if r.key is None for t in r.cells}
    loose = [t for t in tokens if t.kind == "num" and t.start in orphan_starts]
    notes = [nxt.text for tok, nxt in itertools.pairwise(tokens)
             if tok in loose and nxt.kind == "text" and nxt.text.startswith("(")]
    named = {c for note in notes for c, p in NOTE_COLUMNS.items() if p.search(note)}
    short = [r for r in rows if r.key is not None and len(names(r.key)) == 3 and _values(r.cells) == 2]
    if not loose or len(loose) != len(short) or len(named) != 1:
        return []
    column = named.pop()
    filled = []
    for row, tok in zip(short, loose, strict=True):
        fields = names(row.key or "")
        if column in fields:
            cells = [t for t in row.cells if t.kind in ("num", "blank")]
            cells.insert(fields.index(column), tok)
            row.cells = cells
            filled.append(row.key or "")
    return filled


def header_columns(tokens: list[Token], header: re.Pattern[str]) -> set[int]:
    """Grid columns whose header cell names a value column of the form (`本年制发件数`, `自然人`)."""
    return {t.col for t in tokens if t.kind == "text" and t.col >= 0 and header.match(t.text)}


def in_columns(cells: list[Token], columns: set[int], width: int) -> list[Token]:
    """A grid row with more cells than the form has columns (a label cell over two grid columns,
    an empty cell the CMS added): the cells under the header's value columns, when that leaves
    exactly one per column; else copies of merged cells go; else the row as it is, for the
    arithmetic to weigh."""
    values = [t for t in cells if t.kind in ("num", "blank")]
    if len(values) <= width:
        return cells
    if columns and all(t.col >= 0 for t in values):
        first = set(sorted(columns)[:width])  # the form's value columns start right after its labels
        kept = [t for t in values if t.col in first]
        kept = kept if len(kept) == width else [t for t in kept if not t.spanned]
        if len(kept) == width:
            return kept
    unspanned = [t for t in cells if not t.spanned]
    return unspanned if len(unspanned) >= width else cells


@dataclass(frozen=True)
class Apart:
    keys: tuple[str, ...]  # rows whose label is printed apart from its values
    settled: bool  # False: the layout and the equations leave more than one reading


def settle_apart(rows: list[RowRead], view: str, equations: list[Equation],
                 width: Callable[[str], int]) -> tuple[list[RowRead], list[Apart]]:
    """Labels printed on lines of their own, apart from their values (a PDF-to-Markdown
    conversion prints some labels before their row of numbers and some after it). In a stretch of
    such labels and runs of values, the pairing is monotone: with as many runs as labels, the
    i-th run is the i-th label's; with one run more, each place for the extra run is a reading,
    and the table's equations pick one (a tie that changes values leaves the stretch unread)."""
    out = list(rows)
    found: list[Apart] = []
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and _loose(out[j], view):
            j += 1
        if j - i < 2:
            i = max(j, i + 1)
            continue
        new, apart = _pair(out, i, j, equations, width)
        if apart is not None:
            out[i:j] = new
            found.append(apart)
        i += len(new) if apart is not None else j - i
    return out, found


def _loose(row: RowRead, view: str) -> bool:
    """A run no label claims, a label with no values, or a label whose values are on a later line."""
    if row.key is None or not row.cells:
        return True
    return (not row.borrowed and row.label.kind == "text" and row.label.col < 0
            and "\n" in view[row.label.end:row.cells[0].start])


def _pair(out: list[RowRead], i: int, j: int, equations: list[Equation],
          width: Callable[[str], int]) -> tuple[list[RowRead], Apart | None]:
    stretch = out[i:j]
    labels = [r for r in stretch if r.key is not None]
    runs = [r.cells for r in stretch if r.cells]
    if not labels or len(runs) not in (len(labels), len(labels) + 1):
        return stretch, None
    keys = tuple(r.key or "" for r in labels)
    readings = []
    for extra in ([None] if len(runs) == len(labels) else range(len(runs))):
        mine = [run for k, run in enumerate(runs) if k != extra]
        if all(_values(run) == width(lab.key or "") for lab, run in zip(labels, mine, strict=True)):
            rows = [RowRead(lab.key, lab.label, run, lab.text) for lab, run in zip(labels, mine, strict=True)]
            if extra is not None:
                rows.insert(extra, RowRead(None, runs[extra][0], runs[extra]))
            readings.append(rows)
    if not readings:
        return stretch, None
    scores = [_held(out[:i] + r + out[j:], equations) for r in readings]
    best = [r for r, sc in zip(readings, scores, strict=True) if sc == max(scores)]
    if all(_same(best[0], r) for r in best[1:]):
        return (stretch, None) if _same(best[0], stretch) else (best[0], Apart(keys, True))
    return [RowRead(None, run[0], run) for run in runs], Apart(keys, False)  # which label is theirs is unknown


def _same(a: list[RowRead], b: list[RowRead]) -> bool:
    """Two readings that give every labelled row the same values."""
    def values(rows: list[RowRead]) -> dict[str | None, list[float | None]]:
        return {r.key: [t.value for t in r.cells] for r in rows if r.key is not None}
    return values(a) == values(b)


def _held(rows: list[RowRead], equations: list[Equation]) -> int:
    """How many equations the rows read exactly (one value per column) satisfy."""
    values = {r.key: [t.value or 0.0 for t in r.cells] for r in rows if r.key is not None}
    held = 0
    for eq in equations:
        if all(k in values and c < len(values[k]) for k, c, _ in eq.terms):
            held += abs(sum(values[k][c] * coef for k, c, coef in eq.terms)) < 1e-9
    return held
