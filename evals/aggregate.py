"""Sum report scores into figures: per table, per template, per damage kind, and overall."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from evals.cells import GOLD_CLASSES, PRED_CLASSES
from evals.spec import META_FIELDS, TABLES

Report = dict[str, Any]


def ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def _acc(cells: Iterable[dict[str, Any]]) -> dict[str, Any]:
    cells = list(cells)
    ok = sum(1 for c in cells if c["ok"])
    return {"n": len(cells), "ok": ok, "accuracy": ratio(ok, len(cells))}


def _cells(reports: list[Report]) -> list[tuple[Report, dict[str, Any]]]:
    return [(r, c) for r in reports for c in r["cells"]]


def cell_figures(reports: list[Report]) -> dict[str, Any]:
    pairs = _cells(reports)
    by_table = {t: _acc(c for _, c in pairs if c["path"].startswith(t + ".")) for t in TABLES}
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {"template": defaultdict(list), "kind": defaultdict(list)}
    kind_table: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r, c in pairs:
        groups["template"][str(r.get("template"))].append(c)
        groups["kind"][str(r.get("kind"))].append(c)
        kind_table[str(r.get("kind"))][c["path"].split(".", 1)[0]].append(c)
    return {
        **_acc(c for _, c in pairs),
        "by_table": {t: v for t, v in by_table.items() if v["n"]},
        "by_template": {k: _acc(v) for k, v in sorted(groups["template"].items())},
        "by_kind": {k: _acc(v) for k, v in sorted(groups["kind"].items())},
        "by_kind_table": {k: {t: _acc(v) for t, v in sorted(tv.items())} for k, tv in sorted(kind_table.items())},
        "errors": dict(Counter(c["error"] for _, c in pairs if c["error"]).most_common()),
        "confusion": confusion(c for _, c in pairs),
        "ambiguous": _ambiguous(c for _, c in pairs if c["ambiguous"]),
    }


def confusion(cells: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Gold class (null / zero / number) against predicted class, in counts."""
    table = {g: dict.fromkeys(PRED_CLASSES, 0) for g in GOLD_CLASSES}
    for c in cells:
        table[c["gold_class"]][c["pred_class"]] += 1
    return table


def _ambiguous(cells: Iterable[dict[str, Any]]) -> dict[str, int]:
    cells = list(cells)
    nulls = sum(1 for c in cells if c["ok"] and c["pred_class"] in ("null", "absent"))
    ok = sum(1 for c in cells if c["ok"])
    return {"n": len(cells), "null": nulls, "true_value": ok - nulls, "wrong": len(cells) - ok}


def meta_figures(reports: list[Report]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in META_FIELDS:
        scored = [r["meta"][field] for r in reports if field in (r.get("meta") or {})]
        out[field] = _acc(scored)
    total = [m for r in reports for m in (r.get("meta") or {}).values()]
    out["all"] = _acc(total)
    return out


def pr_figures(reports: list[Report], key: str) -> dict[str, Any] | None:
    """Precision and recall of facts or problems (matched / predicted, matched / gold)."""
    scored = [r[key] for r in reports if r.get(key) is not None]
    if not scored:
        return None
    gold = sum(s["gold"] for s in scored)
    pred = sum(s["pred"] for s in scored)
    matched = sum(s["matched"] for s in scored)
    return {"reports": len(scored), "gold": gold, "pred": pred, "matched": matched,
            "precision": ratio(matched, pred), "recall": ratio(matched, gold)}


def findings_figures(reports: list[Report]) -> dict[str, Any] | None:
    """Finding instances: errors (the headline precision and recall) and warnings apart."""
    scored = [r["findings"] for r in reports if r.get("findings") is not None]
    if not scored:
        return None
    out: dict[str, Any] = {"reports": len(scored)}
    for part in ("errors", "warnings"):
        if not any(part in s for s in scored):
            continue
        tp, fp, fn = (sum((s.get(part) or {}).get(k, 0) for s in scored) for k in ("tp", "fp", "fn"))
        out[part] = {"tp": tp, "fp": fp, "fn": fn, "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)}
    errors = out.get("errors") or {}
    out.update({k: errors.get(k) for k in ("tp", "fp", "fn", "precision", "recall")})
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for s in scored:
        for k in ("tp", "fp", "fn"):
            for instance in s[k]:
                by_rule[" ".join(instance.split(" ")[:2])][k] += 1  # "error applications.row_total"
    out["by_rule"] = {rule: dict(c) for rule, c in sorted(by_rule.items())}
    return out


def cost_figures(reports: list[Report]) -> dict[str, Any]:
    keys = ("calls", "tokens_in", "tokens_out", "cache_hits", "cache_misses")
    costs = [r.get("cost") or {} for r in reports]
    out: dict[str, Any] = {k: sum(int(c.get(k) or 0) for c in costs) for k in keys}
    walls = [c["wall_s"] for c in costs if c.get("wall_s") is not None]
    out["wall_s"] = sum(walls) if walls else None
    out["reports_per_s"] = ratio(len(walls), sum(walls)) if walls and sum(walls) > 0 else None
    out["models"] = sorted({c["model"] for c in costs if c.get("model")})
    return out


def summarise(reports: list[Report]) -> dict[str, Any]:
    """The figures of a set of scored reports (one report or a whole run)."""
    return {
        "reports": len(reports),
        "failed": sum(1 for r in reports if r.get("error")),
        "cells": cell_figures(reports),
        "meta": meta_figures(reports),
        "facts": pr_figures(reports, "facts"),
        "problems": pr_figures(reports, "problems"),
        "findings": findings_figures(reports),
        "cost": cost_figures(reports),
    }
