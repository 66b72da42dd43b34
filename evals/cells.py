"""Table cells as flat `{dotted path: value}` maps, and how a predicted cell compares with gold.

Gold `null` means the source leaves the cell blank. A predicted cell is `absent` when the record
has no such path at all (table not found, or a row of the other template).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evals.spec import (
    APPLICANT_COLUMNS,
    DISCLOSURE_BLOCKS,
    OUTCOME_FIELDS,
    REVIEW_GROUPS,
    TABLES,
    application_rows,
)

Value = int | float | None
ABSENT = "absent"
GOLD_CLASSES: tuple[str, ...] = ("null", "zero", "number")
PRED_CLASSES: tuple[str, ...] = ("null", "zero", "number=", "number≠", ABSENT)


def as_dict(record: Any) -> dict[str, Any]:
    """A record (pydantic model or already a dict) as plain JSON-like data."""
    if hasattr(record, "model_dump"):
        return record.model_dump(mode="json")
    return dict(record)


def flatten_tables(record: Mapping[str, Any]) -> dict[str, Value]:
    """`{"applications.granted.total": 4, ...}` for every cell of the three tables present."""
    out: dict[str, Value] = {}
    for table in TABLES:
        rows = record.get(table)
        if not isinstance(rows, Mapping):
            continue
        for row, fields in rows.items():
            if row == "template" or not isinstance(fields, Mapping):
                continue
            for field, value in fields.items():
                out[f"{table}.{row}.{field}"] = value
    return out


def valid_paths(template: str) -> set[str]:
    """Every cell path the SPEC defines for a template."""
    paths = {f"applications.{r}.{c}" for r in application_rows(template) for c in APPLICANT_COLUMNS}
    paths |= {f"review_litigation.{g}.{f}" for g in REVIEW_GROUPS for f in OUTCOME_FIELDS}
    for _, _, rows, fields in DISCLOSURE_BLOCKS[template]:
        paths |= {f"active_disclosure.{r}.{f}" for r, _ in rows for f in fields}
    return paths


def same(a: Value, b: Value) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def gold_class(value: Value) -> str:
    if value is None:
        return "null"
    return "zero" if same(value, 0) else "number"


def pred_class(gold: Value, pred: Value, present: bool) -> str:
    if not present:
        return ABSENT
    if pred is None:
        return "null"
    if same(pred, 0):
        return "zero"
    return "number=" if same(gold, pred) else "number≠"


_ERRORS = {
    ("null", "zero"): "blank_as_zero",
    ("null", "number≠"): "blank_as_number",
    ("zero", "null"): "zero_as_blank",
    ("zero", "number≠"): "wrong_number",
    ("number", "null"): "number_as_blank",
    ("number", "zero"): "number_as_zero",
    ("number", "number≠"): "wrong_number",
}


@dataclass
class CellScore:
    path: str
    gold: Value
    pred: Value
    gold_class: str
    pred_class: str
    ok: bool
    error: str | None
    ambiguous: bool = False

    @property
    def table(self) -> str:
        return self.path.split(".", 1)[0]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score_cell(path: str, gold: Value, pred: Value, present: bool, ambiguous: bool = False,
               gold_known: bool = True) -> CellScore:
    """Right when equal; an `ambiguous` cell is also right when null (or absent)."""
    g, p = gold_class(gold), pred_class(gold, pred, present)
    if ambiguous and p in ("null", ABSENT):
        return CellScore(path, gold, pred, g, p, True, None, True)
    if ambiguous and not gold_known:
        return CellScore(path, gold, pred, g, p, False, "ambiguous_guess", True)
    if p == ABSENT:
        return CellScore(path, gold, pred, g, p, False, ABSENT, ambiguous)
    ok = same(gold, pred)
    return CellScore(path, gold, pred, g, p, ok, None if ok else _ERRORS.get((g, p), "wrong_number"), ambiguous)


def score_cells(gold: Mapping[str, Any], record: Mapping[str, Any]) -> list[CellScore]:
    """Every cell the gold states, plus every `ambiguous` path, scored against the record."""
    gold_cells = flatten_tables(gold)
    pred_cells = flatten_tables(record)
    ambiguous = set(gold.get("ambiguous") or [])
    out = []
    for path in sorted(set(gold_cells) | ambiguous):
        out.append(score_cell(path, gold_cells.get(path), pred_cells.get(path), path in pred_cells,
                              path in ambiguous, path in gold_cells))
    return out
