"""Settle damaged rows with the table's own arithmetic.

A row read from a damaged table can have fewer values than columns (cells dropped by a .docx
dump), more (page numbers), or digits run together (`713000074`). Each such row gets a list of
candidate readings; the joint reading that satisfies the most of the table's equations (row
totals, outcome sums, the balance, group totals) wins, and a cell is accepted only when every
winning reading agrees on it. Everything else stays null, never a guess.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from pipeline.tokens import Token

MAX_ROW_CANDIDATES = 20_000
MAX_JOINT = 200_000


class Slot(NamedTuple):
    """One cell of a candidate reading: value (None = blank/dropped) and its view span."""

    value: float | None
    start: int | None = None
    end: int | None = None


Reading = tuple[Slot, ...]


@dataclass
class RowCandidates:
    key: str
    readings: list[Reading]
    exact: bool  # one reading, straight from the cells
    note: str = ""


@dataclass(frozen=True)
class Equation:
    """sum(coef * cell) == 0 over (row key, column index) cells; named for findings."""

    rule: str
    terms: tuple[tuple[str, int, int], ...]


@dataclass
class Settled:
    values: dict[str, list[Slot]] = field(default_factory=dict)
    undetermined: dict[str, list[int]] = field(default_factory=dict)  # row -> columns left null
    alternatives: dict[str, list[Reading]] = field(default_factory=dict)


def row_candidates(key: str, cells: Sequence[Token], width: int) -> RowCandidates:
    """Candidate readings of a row of value tokens (num/blank) for `width` columns."""
    slots = [_slot(t) for t in cells]
    digits = sum(len(t.text) for t in cells if t.kind == "num" and t.text.isdigit())
    if len(slots) < width <= digits and all(t.kind == "num" for t in cells):  # a jammed row, even if alone
        cells = [Token(t.kind, t.text, t.start, t.end, t.value, t.unit, t.text.isdigit() and len(t.text) > 1)
                 for t in cells]
    if len(slots) == width:
        return RowCandidates(key, [tuple(slots)], exact=True)
    if any(t.splittable for t in cells) and len(cells) < width:
        readings = _splits(cells, width)
        return RowCandidates(key, readings, exact=False, note=f"{len(cells)} value(s) run together for {width} columns")
    if len(slots) < width and math.comb(width, len(slots)) > MAX_ROW_CANDIDATES:
        return RowCandidates(key, [], exact=False, note=f"{len(slots)} value(s) for {width} columns")
    if len(slots) < width:
        readings = [_place(slots, pos, width) for pos in itertools.combinations(range(width), len(slots))]
        return RowCandidates(key, readings if len(readings) <= MAX_ROW_CANDIDATES else [], exact=False,
                             note=f"{len(slots)} value(s) for {width} columns, cells dropped")
    return _trim(key, slots, width)


def _slot(tok: Token) -> Slot:
    if tok.kind == "num":
        return Slot(tok.value, tok.start, tok.end)
    return Slot(None)


def _place(slots: list[Slot], positions: tuple[int, ...], width: int) -> Reading:
    out = [Slot(None)] * width
    for slot, pos in zip(slots, positions, strict=True):
        out[pos] = slot
    return tuple(out)


def _trim(key: str, slots: list[Slot], width: int) -> RowCandidates:
    """More values than columns: drop surplus blanks at the ends, then consider dropping extras."""
    while len(slots) > width and slots[-1].value is None:
        slots = slots[:-1]
    while len(slots) > width and slots[0].value is None:
        slots = slots[1:]
    if len(slots) == width:
        return RowCandidates(key, [tuple(slots)], exact=True)
    if math.comb(len(slots), width) > MAX_ROW_CANDIDATES:
        return RowCandidates(key, [], exact=False, note=f"{len(slots)} values for {width} columns")
    readings = list(dict.fromkeys(tuple(slots[i] for i in keep)
                                  for keep in itertools.combinations(range(len(slots)), width)))
    return RowCandidates(key, readings if len(readings) <= MAX_ROW_CANDIDATES else [], exact=False,
                         note=f"{len(slots)} values for {width} columns, extra values in the row")


def _splits(cells: Sequence[Token], width: int) -> list[Reading]:
    """Every way to cut the splittable digit runs so that the row has exactly `width` cells.

    Returns [] (undetermined) rather than a truncated list when there are too many ways.
    """
    jammed = [i for i, t in enumerate(cells) if t.kind == "num" and t.splittable]
    spare = width - (len(cells) - len(jammed))  # cells the jammed runs must make up together
    per_token: list[list[list[Slot]]] = []
    for i, tok in enumerate(cells):
        if i in jammed:
            parts = range(spare, spare + 1) if len(jammed) == 1 else range(1, spare + 1)
            cuts = _digit_cuts(tok, parts)
            if cuts is None:
                return []
            per_token.append(cuts)
        else:
            per_token.append([[_slot(tok)]])
    readings: list[Reading] = []
    for combo in itertools.product(*per_token):
        flat = [s for part in combo for s in part]
        if len(flat) == width:
            readings.append(tuple(flat))
            if len(readings) > MAX_ROW_CANDIDATES:
                return []
    return readings


def _digit_cuts(tok: Token, counts: range) -> list[list[Slot]] | None:
    digits = tok.text
    n = len(digits)
    out = []
    for k in counts:
        if not 1 <= k <= n:
            continue
        for cuts in itertools.combinations(range(1, n), k - 1):
            bounds = (0, *cuts, n)
            parts = [digits[a:b] for a, b in itertools.pairwise(bounds)]
            if any(len(p) > 1 and p[0] == "0" for p in parts):
                continue
            out.append([Slot(float(p), tok.start + a, tok.start + b)
                        for p, (a, b) in zip(parts, itertools.pairwise(bounds), strict=True)])
            if len(out) > MAX_ROW_CANDIDATES:
                return None
    return out


def settle(rows: list[RowCandidates], equations: list[Equation]) -> Settled:
    """Pick the readings that satisfy the most equations; keep only the cells they agree on."""
    present = {r.key for r in rows}
    equations = [eq for eq in equations if all(k in present for k, _, _ in eq.terms)]  # no guessing absent rows
    fixed = {r.key: r.readings[0] for r in rows if len(r.readings) == 1}
    open_rows = [r for r in rows if len(r.readings) != 1]
    result = Settled(values={k: list(v) for k, v in fixed.items()})
    if not open_rows:
        return result
    if any(not r.readings for r in open_rows):
        for r in open_rows:
            if not r.readings:
                result.undetermined[r.key] = list(range(_width(equations, r.key)))
        open_rows = [r for r in open_rows if r.readings]
    groups = [open_rows] if np.prod([len(r.readings) for r in open_rows]) <= MAX_JOINT else [[r] for r in open_rows]
    open_keys = {r.key for r in open_rows}
    for group in groups:
        _settle_group(group, fixed, open_keys, equations, result)
    return result


def _width(equations: list[Equation], key: str) -> int:
    cols = [c for eq in equations for (k, c, _) in eq.terms if k == key]
    return max(cols, default=6) + 1


def _settle_group(group: list[RowCandidates], fixed: dict[str, Reading], open_keys: set[str],
                  equations: list[Equation], result: Settled) -> None:
    keys = [r.key for r in group]
    others = open_keys - set(keys)
    shape = [len(r.readings) for r in group]
    score = np.zeros(shape, dtype=np.int32)
    for eq in equations:
        if not any(k in keys for k, _, _ in eq.terms) or any(k in others for k, _, _ in eq.terms):
            continue
        residual = np.zeros(shape, dtype=np.float64)
        for k, col, coef in eq.terms:
            if k in keys:
                idx = keys.index(k)
                vec = np.array([_val(rd[col]) * coef for rd in group[idx].readings])
                residual = residual + vec.reshape([-1 if i == idx else 1 for i in range(len(keys))])
            elif k in fixed:
                residual = residual + _val(fixed[k][col]) * coef
        score += np.isclose(residual, 0.0).astype(np.int32)
    best = np.argwhere(score == score.max())
    for i, row in enumerate(group):
        chosen = sorted({int(j) for j in best[:, i]})
        readings = [row.readings[j] for j in chosen]
        merged, unknown = _agree(readings)
        result.values[row.key] = merged
        if unknown:
            result.undetermined[row.key] = unknown
            result.alternatives[row.key] = readings[:5]


def _val(slot: Slot) -> float:
    return 0.0 if slot.value is None else slot.value


def _agree(readings: list[Reading]) -> tuple[list[Slot], list[int]]:
    width = len(readings[0])
    merged: list[Slot] = []
    unknown: list[int] = []
    for c in range(width):
        first = readings[0][c]
        if all(r[c].value == first.value for r in readings):
            merged.append(first)
        else:
            merged.append(Slot(None))
            unknown.append(c)
    return merged, unknown
