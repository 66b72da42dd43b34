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

from pipeline.tables.tokens import Token

MAX_ROW_CANDIDATES = 20_000
MAX_JOINT = 200_000


class Slot(NamedTuple):
    """One cell of a candidate reading: value (None = blank/dropped) and its view span."""

    value: float | None
    start: int | None = None
    end: int | None = None
    unit: str = ""


Reading = tuple[Slot, ...]


@dataclass
class RowCandidates:
    key: str
    width: int
    readings: list[Reading]
    kind: str = "exact"  # exact | split (digits run together) | extra (surplus values) | dropped (cells lost)
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.kind == "exact"


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
    """Candidate readings of a row of value tokens (num/blank) for `width` columns.

    Dropped cells are listed but never placed: the source does not say which columns they were.
    """
    slots = [_slot(t) for t in cells]
    if len(cells) == 1 and cells[0].kind == "num" and len(cells[0].text) >= width >= 7 and cells[0].text.isdigit():
        cells = [cells[0]._replace(splittable=True)]  # one digit run alone: a jammed row
    if len(slots) == width:
        return RowCandidates(key, width, [tuple(slots)])
    if any(t.splittable for t in cells) and len(cells) < width:
        return RowCandidates(key, width, _splits(cells, width), "split",
                             f"{len(cells)} value(s) run together for {width} columns")
    if len(slots) < width:
        shown = [_place(slots, pos, width) for pos in itertools.islice(itertools.combinations(range(width), len(slots)), 5)]
        return RowCandidates(key, width, shown, "dropped",
                             f"{len(slots)} value(s) for {width} columns: cells were dropped or merged and the "
                             "source does not say which columns the values belong to")
    return _trim(key, slots, width)


def _slot(tok: Token) -> Slot:
    if tok.kind == "num":
        return Slot(tok.value, tok.start, tok.end, tok.unit)
    return Slot(None)


def _place(slots: list[Slot], positions: tuple[int, ...], width: int) -> Reading:
    out = [Slot(None)] * width
    for slot, pos in zip(slots, positions, strict=True):
        out[pos] = slot
    return tuple(out)


def _trim(key: str, slots: list[Slot], width: int) -> RowCandidates:
    """More values than columns: drop surplus blanks at the ends, then consider dropping extras."""
    full = len(slots)
    while len(slots) > width and slots[-1].value is None:
        slots = slots[:-1]
    while len(slots) > width and slots[0].value is None:
        slots = slots[1:]
    if len(slots) == width:
        return RowCandidates(key, width, [tuple(slots)])
    note = f"{full} values for {width} columns, extra values in the row"
    if math.comb(len(slots), width) > MAX_ROW_CANDIDATES:
        return RowCandidates(key, width, [], "extra", note)
    readings = list(dict.fromkeys(tuple(slots[i] for i in keep)
                                  for keep in itertools.combinations(range(len(slots)), width)))
    return RowCandidates(key, width, readings, "extra", note)


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
    body = tok.text[: len(tok.text) - len(tok.unit)].rstrip()
    sign = body[:1] if body[:1] in "+-" else ""
    digits, _, frac = body[len(sign):].partition(".")
    frac = "." + frac if frac else ""  # an amount's decimals belong to its last cell
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
            at = tok.start + len(sign)
            cut = [Slot(float(p), at + a, at + b) for p, (a, b) in zip(parts, itertools.pairwise(bounds), strict=True)]
            if sign:  # the sign belongs to the first cell
                first = float(parts[0]) * (-1 if sign == "-" else 1)
                cut[0] = cut[0]._replace(value=first if len(cut) > 1 else float(parts[0] + frac) * (-1 if sign == "-" else 1),
                                         start=tok.start)
            cut[-1] = cut[-1]._replace(value=float(parts[-1] + frac), end=tok.end, unit=tok.unit)
            out.append(cut)
            if len(out) > MAX_ROW_CANDIDATES:
                return None
    return out


def settle(rows: list[RowCandidates], equations: list[Equation]) -> Settled:
    """Pick the readings that satisfy the most equations; keep only the cells they agree on."""
    present = {r.key for r in rows}
    equations = [eq for eq in equations if all(k in present for k, _, _ in eq.terms)]  # no guessing absent rows
    fixed = {r.key: r.readings[0] for r in rows if r.exact}
    result = Settled(values={k: list(v) for k, v in fixed.items()})
    open_rows = []
    for r in rows:
        if r.exact:
            continue
        if r.kind == "split":  # a split must keep the row's own total
            own = [eq for eq in equations if all(k == r.key for k, _, _ in eq.terms)]
            r.readings = [rd for rd in r.readings if all(_holds(eq, rd) for eq in own)]
        if r.kind == "dropped" or not r.readings:
            result.values[r.key] = [Slot(None)] * r.width
            result.undetermined[r.key] = list(range(r.width))
            result.alternatives[r.key] = r.readings[:5]
        else:
            open_rows.append(r)
    open_keys = {r.key for r in rows if not r.exact}
    if not open_rows:
        return result
    groups = [open_rows] if math.prod(len(r.readings) for r in open_rows) <= MAX_JOINT else [[r] for r in open_rows]
    for group in groups:
        _settle_group(group, fixed, open_keys, equations, result)
    return result


def _holds(eq: Equation, reading: Reading) -> bool:
    return abs(sum(_val(reading[c]) * coef for _, c, coef in eq.terms)) < 1e-9


def _settle_group(group: list[RowCandidates], fixed: dict[str, Reading], open_keys: set[str],
                  equations: list[Equation], result: Settled) -> None:
    keys = [r.key for r in group]
    others = open_keys - set(keys)
    terms: list[list[tuple[int, list[float]]]] = []  # per equation: (row in group or -1, value per reading)
    for eq in equations:
        if not any(k in keys for k, _, _ in eq.terms) or any(k in others for k, _, _ in eq.terms):
            continue
        terms.append([])
        for k, col, coef in eq.terms:
            if k in keys:
                idx = keys.index(k)
                terms[-1].append((idx, [_val(rd[col]) * coef for rd in group[idx].readings]))
            elif k in fixed:
                terms[-1].append((-1, [_val(fixed[k][col]) * coef]))
    best: list[tuple[int, ...]] = []
    top = -1
    for combo in itertools.product(*(range(len(r.readings)) for r in group)):
        score = sum(abs(sum(v[combo[i]] if i >= 0 else v[0] for i, v in eq)) <= 1e-8 for eq in terms)
        if score > top:
            top, best = score, []
        if score == top:
            best.append(combo)
    for i, row in enumerate(group):
        chosen = sorted({combo[i] for combo in best})
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
