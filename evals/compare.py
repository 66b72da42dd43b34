"""Compare two runs: the cells, facts, findings and meta that changed, better and worse.

A run is an eval JSON written by `nianbao eval` or a folder of records. Two folders of records
are scored first when a gold folder is given; without gold only what changed can be listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.cells import flatten_tables, same

Run = dict[str, Any]


def load_run(path: Path, gold: Path | None) -> Run:
    """An eval JSON as is; a folder of records scored against `gold`, or kept raw without gold."""
    path = Path(path)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    if gold is not None:
        from evals.run import evaluate

        return evaluate(gold, records_dir=path)[0]
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(path.glob("*.json"))}
    return {"raw_records": records}


def _by_name(run: Run) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in run.get("reports", [])}


def _headline(run: Run) -> dict[str, Any]:
    o = run.get("overall") or {}
    pick = {"cell_accuracy": (o.get("cells") or {}).get("accuracy"),
            "meta_accuracy": ((o.get("meta") or {}).get("all") or {}).get("accuracy")}
    for key in ("facts", "findings"):
        part = o.get(key) or {}
        pick[f"{key}_precision"], pick[f"{key}_recall"] = part.get("precision"), part.get("recall")
    return pick


def _delta(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if a[k] is None or b[k] is None else b[k] - a[k]) for k in a}


def _cell_changes(name: str, a: dict[str, Any], b: dict[str, Any], out: dict[str, list[Any]]) -> None:
    cells_a = {c["path"]: c for c in a.get("cells", [])}
    for cb in b.get("cells", []):
        ca = cells_a.get(cb["path"])
        if ca is None:
            continue
        entry = {"report": name, "path": cb["path"], "gold": cb["gold"], "a": ca["pred"], "b": cb["pred"]}
        if not ca["ok"] and cb["ok"]:
            out["better"].append(entry)
        elif ca["ok"] and not cb["ok"]:
            out["worse"].append(entry)
        elif not same(ca["pred"], cb["pred"]) or ca["pred_class"] != cb["pred_class"]:
            out["changed"].append(entry)


def _set_changes(name: str, a: set[str], b: set[str], good: bool, out: dict[str, list[Any]]) -> None:
    """Items gained and lost; `good` says whether gaining one is better (a match) or worse (a miss)."""
    gained, lost = sorted(b - a), sorted(a - b)
    out["better" if good else "worse"] += [{"report": name, "item": x} for x in gained]
    out["worse" if good else "better"] += [{"report": name, "item": x} for x in lost]


def _part(report: dict[str, Any], key: str, field: str) -> set[str]:
    return set((report.get(key) or {}).get(field) or [])


def compare_scored(a: Run, b: Run) -> dict[str, Any]:
    ra, rb = _by_name(a), _by_name(b)
    cells: dict[str, list[Any]] = {"better": [], "worse": [], "changed": []}
    facts: dict[str, list[Any]] = {"better": [], "worse": []}
    findings: dict[str, list[Any]] = {"better": [], "worse": []}
    meta: dict[str, list[Any]] = {"better": [], "worse": []}
    for name in sorted(set(ra) & set(rb)):
        x, y = ra[name], rb[name]
        _cell_changes(name, x, y, cells)
        _set_changes(name, _part(x, "facts", "matched_keys"), _part(y, "facts", "matched_keys"), True, facts)
        _set_changes(name, _part(x, "facts", "spurious"), _part(y, "facts", "spurious"), False, facts)
        _set_changes(name, _part(x, "findings", "tp"), _part(y, "findings", "tp"), True, findings)
        _set_changes(name, _part(x, "findings", "fp"), _part(y, "findings", "fp"), False, findings)
        ok_a = {f for f, m in (x.get("meta") or {}).items() if m["ok"]}
        ok_b = {f for f, m in (y.get("meta") or {}).items() if m["ok"]}
        _set_changes(name, ok_a, ok_b, True, meta)
    ha, hb = _headline(a), _headline(b)
    return {"scored": True, "headline": {"a": ha, "b": hb, "delta": _delta(ha, hb)},
            "only_in_a": sorted(set(ra) - set(rb)), "only_in_b": sorted(set(rb) - set(ra)),
            "cells": cells, "facts": facts, "findings": findings, "meta": meta}


def _fact_ids(record: dict[str, Any]) -> set[str]:
    return {f"{f.get('value')}{f.get('unit')}@{f.get('start')}-{f.get('end')}" for f in record.get("facts") or []}


def _finding_ids(record: dict[str, Any]) -> set[str]:
    return {f"{f.get('rule')} {','.join(f.get('cells') or [])}" for f in record.get("findings") or []}


def compare_raw(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Without gold: every cell whose value changed, facts and findings added or removed."""
    cells: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    for name in sorted(set(a) & set(b)):
        fa, fb = flatten_tables(a[name]), flatten_tables(b[name])
        cells += [{"report": name, "path": p, "a": fa.get(p), "b": fb.get(p)}
                  for p in sorted(set(fa) | set(fb)) if (p in fa) != (p in fb) or not same(fa.get(p), fb.get(p))]
        for ids, out in ((_fact_ids, facts), (_finding_ids, findings)):
            xa, xb = ids(a[name]), ids(b[name])
            out += [{"report": name, "added": x} for x in sorted(xb - xa)]
            out += [{"report": name, "removed": x} for x in sorted(xa - xb)]
    return {"scored": False, "only_in_a": sorted(set(a) - set(b)), "only_in_b": sorted(set(b) - set(a)),
            "cells": {"changed": cells}, "facts": {"changed": facts}, "findings": {"changed": findings}}


def compare(path_a: Path, path_b: Path, gold: Path | None = None) -> dict[str, Any]:
    a, b = load_run(path_a, gold), load_run(path_b, gold)
    if "raw_records" in a or "raw_records" in b:
        if "raw_records" not in a or "raw_records" not in b:
            raise ValueError("compare an eval JSON with an eval JSON, or give --gold to score record folders")
        result = compare_raw(a["raw_records"], b["raw_records"])
    else:
        result = compare_scored(a, b)
    return {"a": str(path_a), "b": str(path_b), **result}
