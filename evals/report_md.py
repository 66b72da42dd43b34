"""The Markdown summary of an evaluation run (and of a comparison)."""

from __future__ import annotations

from typing import Any

from evals.cells import GOLD_CLASSES, PRED_CLASSES

MAX_FAILURES = 12


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def frac(part: dict[str, Any] | None) -> str:
    if not part or not part.get("n"):
        return "n/a"
    return f"{part['ok']}/{part['n']} ({pct(part['accuracy'])})"


def pr(part: dict[str, Any] | None) -> str:
    if not part:
        return "not scored"
    return f"P {pct(part.get('precision'))} · R {pct(part.get('recall'))}"


def instances(part: dict[str, Any] | None, severity: str) -> str:
    """`P 100% · R 80% (4 of 5 expected, 0 unexpected)` for the error or warning finding instances."""
    counts = (part or {}).get(severity)
    if not counts:
        return "not scored"
    return (f"P {pct(counts['precision'])} · R {pct(counts['recall'])} ({counts['tp']} of {counts['tp'] + counts['fn']} "
            f"expected, {counts['fp']} unexpected)")


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def cost_line(cost: dict[str, Any]) -> str:
    wall = "n/a" if cost.get("wall_s") is None else f"{cost['wall_s']:.2f} s"
    rate = "" if cost.get("reports_per_s") is None else f" ({cost['reports_per_s']:.0f} reports/s)"
    return (f"LLM calls {cost['calls']}, tokens in {cost['tokens_in']} / out {cost['tokens_out']}, "
            f"cache hits {cost['cache_hits']} / misses {cost['cache_misses']}, wall time {wall}{rate}")


def overall_lines(o: dict[str, Any]) -> list[str]:
    cells, meta = o["cells"], o["meta"]
    rows = [["cells", frac(cells)], ["meta (agency, year, template)", frac(meta["all"])]]
    rows += [[f"meta · {f}", frac(meta[f])] for f in ("agency", "year", "template")]
    rows += [["facts", pr(o["facts"])], ["findings: errors (instances)", instances(o["findings"], "errors")],
             ["findings: warnings (instances)", instances(o["findings"], "warnings")], ["problems", pr(o["problems"])],
             ["ambiguous cells (null / true / wrong)",
              "{n}: {null} / {true_value} / {wrong}".format(**cells["ambiguous"])],
             ["reports (failed)", f"{o['reports']} ({o['failed']})"], ["cost", cost_line(o["cost"])]]
    return _table(["metric", "value"], rows)


def breakdown_lines(cells: dict[str, Any]) -> list[str]:
    lines = ["", "### Cell accuracy per table", ""]
    lines += _table(["table", "cells"], [[t, frac(v)] for t, v in cells["by_table"].items()])
    lines += ["", "### Per template", ""]
    lines += _table(["template", "cells"], [[t, frac(v)] for t, v in cells["by_template"].items()])
    lines += ["", "### Per damage kind", ""]
    tables = ("active_disclosure", "applications", "review_litigation")
    rows = [[k, frac(v), *(frac(cells["by_kind_table"].get(k, {}).get(t)) for t in tables)]
            for k, v in cells["by_kind"].items()]
    lines += _table(["kind", "all cells", *tables], rows)
    lines += ["", "### Null / zero / number (rows: gold, columns: predicted)", ""]
    lines += _table(["gold \\ pred", *PRED_CLASSES],
                    [[g, *(cells["confusion"][g][p] for p in PRED_CLASSES)] for g in GOLD_CLASSES])
    if cells["errors"]:
        lines += ["", "Errors by class: " + ", ".join(f"`{k}` {v}" for k, v in cells["errors"].items())]
    return lines


def report_rows(reports: list[dict[str, Any]]) -> list[str]:
    rows = []
    for r in reports:
        s = r["summary"]
        rows.append([r["name"], r.get("kind"), r.get("template"), frac(s["cells"]), frac(s["meta"]["all"]),
                     pr(s["facts"]), pr(s["findings"]), r.get("error") or ""])
    return _table(["report", "kind", "template", "cells", "meta", "facts", "findings", "error"], rows)


def failure_lines(reports: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for r in reports:
        wrong = [c for c in r["cells"] if not c["ok"]]
        meta = [f"{k}: gold {m['gold']!r}, got {m['pred']!r}" for k, m in (r.get("meta") or {}).items() if not m["ok"]]
        findings = r.get("findings") or {}
        if not (wrong or meta or findings.get("fp") or findings.get("fn") or r.get("gold_issues")):
            continue
        lines += ["", f"#### {r['name']}", ""]
        lines += [f"- `{c['path']}`: gold {c['gold']}, got {c['pred']} ({c['error']})" for c in wrong[:MAX_FAILURES]]
        if len(wrong) > MAX_FAILURES:
            lines.append(f"- … and {len(wrong) - MAX_FAILURES} more wrong cells")
        lines += [f"- meta {m}" for m in meta]
        if findings.get("fn") or findings.get("fp"):
            lines.append(f"- findings missed {findings.get('fn')}, spurious {findings.get('fp')}")
        lines += [f"- gold issue: {g}" for g in r.get("gold_issues") or []]
    return lines


def render_markdown(run: dict[str, Any], title: str = "nianbao evaluation") -> str:
    info = run["run"]
    llm = info.get("llm") or {}
    lines = [f"# {title}", "", f"Mode `{info.get('mode')}`, gold `{info.get('gold')}`, "
             f"inputs `{info.get('inputs')}`, records `{info.get('records')}`, finished {info.get('finished')}.", ""]
    note = llm.get("note", "")
    lines += [f"**{note}**" if llm.get("mode") == "scripted" else f"LLM: {llm.get('mode')} — {note}", ""]
    lines += ["## Overall", ""] + overall_lines(run["overall"]) + breakdown_lines(run["overall"]["cells"])
    if run.get("reports"):
        lines += ["", "## Per report", ""] + report_rows(run["reports"])
        failures = failure_lines(run["reports"])
        if failures:
            lines += ["", "## Where it fails"] + failures
    return "\n".join(lines) + "\n"


def render_compare(result: dict[str, Any]) -> str:
    lines = [f"# Comparison: A = `{result['a']}`, B = `{result['b']}`", ""]
    if result.get("scored"):
        h = result["headline"]
        lines += _table(["figure", "A", "B", "B − A"],
                        [[k, pct(h["a"][k]), pct(h["b"][k]), "n/a" if h["delta"][k] is None else f"{100 * h['delta'][k]:+.1f} pt"]
                         for k in h["a"]])
    for part in ("cells", "facts", "findings", "meta"):
        for side, items in (result.get(part) or {}).items():
            if items:
                lines += ["", f"## {part}: {side} ({len(items)})", ""]
                lines += [f"- {item}" for item in items[:200]]
    for side in ("only_in_a", "only_in_b"):
        if result.get(side):
            lines += ["", f"{side}: {', '.join(result[side])}"]
    return "\n".join(lines) + "\n"
