"""Score one record against one gold file: cells, meta, facts, findings, problems.

Each `score_*` function takes plain JSON-like data (gold and record as dicts) and returns plain
data, so that scores can be written to JSON and compared across runs. Only what the gold states
is scored: a missing `facts` key means facts are not scored for that report (None).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

from evals.cells import as_dict, flatten_tables, score_cells, valid_paths
from evals.spec import META_FIELDS, SPEC_RULES
from pipeline.core import squash

PROBLEM_MATCH = 0.5  # SequenceMatcher ratio above which two problem statements are the same


def score_report(gold: Mapping[str, Any], record: Any, *, kind: str | None = None,
                 severity: str = "all") -> dict[str, Any]:
    """Everything scored for one report, as JSON-ready data."""
    rec = as_dict(record)
    cells = score_cells(gold, rec)
    return {
        "name": (gold.get("source") or {}).get("name") or (rec.get("source") or {}).get("name"),
        "kind": kind,
        "template": gold_template(gold),
        "cells": [c.to_json() for c in cells],
        "meta": score_meta(gold.get("meta") or {}, rec.get("meta") or {}),
        "facts": score_facts(gold["facts"], rec.get("facts") or []) if "facts" in gold else None,
        "findings": score_findings(gold["expected_findings"], rec.get("findings") or [], severity)
        if "expected_findings" in gold else None,
        "problems": score_problems(gold["problems"], rec.get("problems") or []) if "problems" in gold else None,
        "cost": cost_of(rec),
        "error": None,
    }


def gold_template(gold: Mapping[str, Any]) -> str | None:
    meta = gold.get("meta") or {}
    if meta.get("template"):
        return str(meta["template"])
    for table in ("applications", "active_disclosure"):
        value = (gold.get(table) or {}).get("template")
        if value:
            return str(value)
    return None


# ---- meta --------------------------------------------------------------------------------------
def _norm(value: Any) -> str | None:
    return None if value is None else squash(str(value))


def score_meta(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for field in META_FIELDS:
        if field in gold:
            ok = _norm(gold[field]) == _norm(pred.get(field))
            out[field] = {"gold": gold[field], "pred": pred.get(field), "ok": ok}
    return out


# ---- facts ---------------------------------------------------------------------------------------
def _fact_key(fact: Mapping[str, Any]) -> str:
    return f"{fact.get('value')}{fact.get('unit', '')}@{fact.get('start')}-{fact.get('end')} {fact.get('quote', '')}"


def facts_match(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> int:
    """Overlap in characters when value and unit agree and the spans overlap, else 0."""
    try:
        if not math.isclose(float(gold["value"]), float(pred["value"]), rel_tol=1e-9, abs_tol=1e-9):
            return 0
    except (KeyError, TypeError, ValueError):
        return 0
    if squash(str(gold.get("unit", ""))) != squash(str(pred.get("unit", ""))):
        return 0
    overlap = min(int(gold["end"]), int(pred["end"])) - max(int(gold["start"]), int(pred["start"]))
    return max(overlap, 0)


def _pair(gold: list[Mapping[str, Any]], pred: list[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, largest overlap first."""
    candidates = sorted(((facts_match(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(pred)),
                        reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for overlap, i, j in candidates:
        if overlap > 0 and i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def score_facts(gold: list[Mapping[str, Any]], pred: list[Mapping[str, Any]]) -> dict[str, Any]:
    pairs = _pair(gold, pred)
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    return {
        "gold": len(gold), "pred": len(pred), "matched": len(pairs),
        "matched_keys": sorted(_fact_key(gold[i]) for i in matched_g),
        "missed": [_fact_key(g) for i, g in enumerate(gold) if i not in matched_g],
        "spurious": [_fact_key(p) for j, p in enumerate(pred) if j not in matched_p],
    }


# ---- findings --------------------------------------------------------------------------------------
SEVERITIES = ("error", "warning")


def expected_instances(expected: list[Any]) -> list[dict[str, Any]]:
    """Gold `expected_findings` as instances. A string is a rule name (an error, any cells); an object
    is `{"rule", "cells" (optional: these cells must be among the finding's), "severity" (default error)}`."""
    out = []
    for item in expected:
        if isinstance(item, str):
            item = {"rule": item}
        cells = item.get("cells")
        out.append({"rule": item["rule"], "cells": sorted(cells) if cells is not None else None,
                    "severity": item.get("severity", "error")})
    return out


def predicted_rules(findings: list[Mapping[str, Any]], severity: str = "all") -> set[str]:
    """SPEC rule names the record reports; pipeline-internal rules do not count."""
    return {f["rule"] for f in _spec_findings(findings, severity)}


def _spec_findings(findings: list[Mapping[str, Any]], severity: str) -> list[Mapping[str, Any]]:
    return [f for f in findings
            if f.get("rule") in SPEC_RULES and (severity == "all" or f.get("severity") == severity)]


def _instance_id(f: Mapping[str, Any], seen: Counter[str]) -> str:
    base = f"{f.get('severity', 'error')} {f['rule']}" + (f" [{', '.join(sorted(f['cells']))}]" if f.get("cells") else "")
    seen[base] += 1
    return base if seen[base] == 1 else f"{base} #{seen[base]}"


def _matches(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    return (gold["rule"] == pred["rule"] and gold["severity"] == pred.get("severity")
            and (gold["cells"] is None or set(gold["cells"]) <= set(pred.get("cells") or [])))


def score_findings(expected: list[Any], findings: list[Mapping[str, Any]], severity: str = "all") -> dict[str, Any]:
    """Findings as instances (rule + cells), errors and warnings apart, matched one to one: a gold
    instance naming cells first, then those naming only a rule. `severity="error"` leaves warnings unscored."""
    severities = SEVERITIES if severity == "all" else (severity,)
    gold = [g for g in expected_instances(expected) if g["severity"] in severities]
    pred = [{**f, "severity": f.get("severity", "error")} for f in _spec_findings(findings, "all")]
    pred = [f for f in pred if f["severity"] in severities]
    gold_ids, pred_ids = _ids(gold), _ids(pred)
    used: set[int] = set()
    tp, fn = [], []
    for i in sorted(range(len(gold)), key=lambda i: gold[i]["cells"] is None):
        j = next((j for j, p in enumerate(pred) if j not in used and _matches(gold[i], p)), None)
        if j is None:
            fn.append(i)
        else:
            used.add(j)
            tp.append(i)
    out: dict[str, Any] = {"expected": gold_ids, "predicted": pred_ids, "tp": sorted(gold_ids[i] for i in tp),
                           "fp": [pred_ids[j] for j in range(len(pred)) if j not in used],
                           "fn": sorted(gold_ids[i] for i in fn)}
    for sev in severities:
        out[f"{sev}s"] = {"tp": sum(1 for i in tp if gold[i]["severity"] == sev),
                          "fn": sum(1 for i in fn if gold[i]["severity"] == sev),
                          "fp": sum(1 for j, p in enumerate(pred) if j not in used and p.get("severity") == sev)}
    return out


def _ids(items: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: Counter[str] = Counter()
    return [_instance_id(f, seen) for f in items]


# ---- problems --------------------------------------------------------------------------------------
def problems_match(a: str, b: str) -> bool:
    a, b = squash(a), squash(b)
    if not a or not b:
        return False
    return a in b or b in a or SequenceMatcher(None, a, b).ratio() >= PROBLEM_MATCH


def score_problems(gold: list[str], pred: list[str]) -> dict[str, Any]:
    used: set[int] = set()
    matched = 0
    missed = []
    for g in gold:
        j = next((j for j, p in enumerate(pred) if j not in used and problems_match(g, p)), None)
        if j is None:
            missed.append(g)
        else:
            used.add(j)
            matched += 1
    return {"gold": len(gold), "pred": len(pred), "matched": matched, "missed": missed,
            "spurious": [p for j, p in enumerate(pred) if j not in used]}


# ---- cost ------------------------------------------------------------------------------------------
def cost_of(record: Mapping[str, Any]) -> dict[str, Any]:
    llm = record.get("llm") or {}
    usage = llm.get("usage") or {}
    return {
        "model": llm.get("model"),
        "calls": usage.get("calls", 0),
        "tokens_in": usage.get("prompt_tokens", 0),
        "tokens_out": usage.get("completion_tokens", 0),
        "cache_hits": usage.get("cache_hits", 0),
        "cache_misses": usage.get("cache_misses", 0),
        "wall_s": None,
    }


# ---- gold checks -----------------------------------------------------------------------------------
def gold_issues(gold: Mapping[str, Any], text: str | None) -> list[str]:
    """Things in a gold file that cannot be right: unknown cell paths, quotes not at their offsets."""
    issues = []
    template = gold_template(gold)
    if template in ("2019", "2021"):
        known = valid_paths(template)
        issues += [f"unknown cell path for template {template}: {p}" for p in flatten_tables(gold) if p not in known]
        issues += [f"unknown ambiguous path: {p}" for p in gold.get("ambiguous") or [] if p not in known]
    if text is not None:
        for fact in gold.get("facts") or []:
            quote, start, end = fact.get("quote", ""), fact.get("start", 0), fact.get("end", 0)
            if text[start:end] != quote:
                issues.append(f"fact quote not at {start}-{end}: {quote!r} (source has {text[start:end]!r})")
    return issues
