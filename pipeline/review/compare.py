"""Two consecutive years of one agency: every cell side by side, the carry check per column, the
facts that changed and the sections whose text changed most."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.crossyear import APPLICANT_COLUMNS, ReportKey, carry_findings, pair_reports
from pipeline.review.form import cell_labels, cell_paths, flat_cells
from pipeline.review.load import Loaded

MAX_FACTS = 60


@dataclass
class Comparison:
    prev: Loaded
    cur: Loaded
    cells: list[list[Any]] = field(default_factory=list)
    carry: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def page(self) -> str:
        return f"{self.prev.stem}__{self.cur.stem}.html"

    @property
    def breaks(self) -> int:
        return sum(1 for c in self.carry if c["status"] == "break")


def pairs(reports: list[Loaded]) -> list[tuple[Loaded, Loaded]]:
    """(previous year, next year) for every agency with reports in consecutive years."""
    by_stem = {r.stem: r for r in reports}
    keys = [ReportKey(r.stem, r.record.meta.agency, r.record.meta.year) for r in reports]
    return [(by_stem[a], by_stem[b]) for a, b in pair_reports(keys).pairs]


def compare(prev: Loaded, cur: Loaded) -> Comparison:
    return Comparison(prev, cur, _cells(prev, cur), _carry(prev, cur), _facts(prev, cur), _sections(prev, cur))


def _cells(prev: Loaded, cur: Loaded) -> list[list[Any]]:
    """`[path, label, previous value, value]` for every cell of either form (drawn by the page's script)."""
    a, b = flat_cells(prev.data), flat_cells(cur.data)
    t1, t2 = prev.record.meta.template, cur.record.meta.template
    labels = cell_labels(t2) if t1 == t2 else cell_labels(t1) | cell_labels(t2)
    paths = cell_paths(t2) if t1 == t2 else list(dict.fromkeys(cell_paths(t2) + cell_paths(t1)))
    return [[p, labels.get(p, p), a.get(p), b.get(p)] for p in paths]


def _carry(prev: Loaded, cur: Loaded) -> list[dict[str, Any]]:
    found = {f.cells[0].rsplit(".", 1)[-1]: f for f in carry_findings(prev.record, cur.record) if f.cells}
    a, b = flat_cells(prev.data), flat_cells(cur.data)
    out = []
    for column in APPLICANT_COLUMNS:
        forward, over = a.get(f"applications.carried_forward.{column}"), b.get(f"applications.carried_over.{column}")
        status = "break" if column in found else ("not compared" if forward is None or over is None else "ok")
        out.append({"column": column, "forward": forward, "over": over, "status": status,
                    "message": found[column].message if column in found else ""})
    return out


def _facts(prev: Loaded, cur: Loaded) -> list[dict[str, Any]]:
    def index(r: Loaded) -> dict[tuple[str, str], Any]:
        return {(f.subject, f.unit): f.value for f in r.record.facts}

    a, b = index(prev), index(cur)
    out = [{"subject": s, "unit": u, "prev": a.get((s, u)), "cur": b.get((s, u))}
           for s, u in dict.fromkeys([*a, *b]) if a.get((s, u)) != b.get((s, u))]
    return out[:MAX_FACTS]


def _sections(prev: Loaded, cur: Loaded) -> list[dict[str, Any]]:
    if prev.text is None or cur.text is None:
        return []
    a = {s.key: prev.text[s.start:s.end] for s in prev.record.sections}
    b = {s.key: cur.text[s.start:s.end] for s in cur.record.sections}
    rows = [{"key": k, "prev_chars": len(a.get(k, "")), "cur_chars": len(b.get(k, "")),
             "changed": round(1 - _similarity(a.get(k, ""), b.get(k, "")), 3)} for k in dict.fromkeys([*a, *b])]
    return sorted(rows, key=lambda r: -r["changed"])


def _similarity(x: str, y: str) -> float:
    """Jaccard similarity of the character bigrams (fast enough for thousands of pairs)."""
    a, b = {x[i:i + 2] for i in range(len(x) - 1)}, {y[i:i + 2] for i in range(len(y) - 1)}
    return 1.0 if not a and not b else len(a & b) / len(a | b)
