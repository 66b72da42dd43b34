"""A self-contained HTML page of an evaluation run: inline SVG bar charts and CSS, no scripts.

Made with the review site's templates (`pipeline/review/templates/eval.html.j2`), its stylesheet
inlined so the page stands alone.
"""

from __future__ import annotations

from typing import Any

from evals.cells import GOLD_CLASSES, PRED_CLASSES
from evals.report_md import cost_line, frac, instances, pct, pr
from evals.spec import TABLES
from pipeline.review.pages import asset, render


def _colour(acc: float | None) -> str:
    if acc is None:
        return "#bbbbbb"
    if acc >= 0.98:
        return "#2e7d32"
    return "#f9a825" if acc >= 0.9 else "#c62828"


def _bars(items: list[tuple[str, dict[str, Any] | None]]) -> list[dict[str, Any]]:
    """Bar items of accuracy, one per (label, {n, ok, accuracy})."""
    out = []
    for label, part in items:
        acc = (part or {}).get("accuracy")
        out.append({"label": label, "text": frac(part),
                    "segments": [{"frac": acc or 0, "cls": "", "fill": _colour(acc)}]})
    return out


def _cell(part: dict[str, Any] | None) -> dict[str, Any]:
    acc = (part or {}).get("accuracy")
    return {"text": frac(part), "cls": "v", "style": "" if acc is None else f"background:{_colour(acc)}22"}


def render_html(run: dict[str, Any], title: str = "nianbao evaluation") -> str:
    o, info = run["overall"], run["run"]
    cells = o["cells"]
    llm = info.get("llm") or {}
    kinds = list(cells["by_kind"])
    cards = [("cells", pct(cells["accuracy"])), ("meta", pct(o["meta"]["all"]["accuracy"])),
             ("facts", pr(o["facts"])), ("findings: errors", instances(o["findings"], "errors")),
             ("findings: warnings", instances(o["findings"], "warnings")), ("problems", pr(o["problems"])),
             ("reports", f"{o['reports']} ({o['failed']} failed)")]
    reports = [[r["name"], r.get("kind"), r.get("template"), _cell(r["summary"]["cells"]),
                _cell(r["summary"]["meta"]["all"]),
                pr(r["summary"]["facts"]), pr(r["summary"]["findings"]), r.get("error") or ""]
               for r in run.get("reports") or []]
    return render(
        "eval.html.j2", inline_css=asset("site.css"), title=title, scripted=llm.get("mode") == "scripted",
        llm_mode=str(llm.get("mode")), llm_note=llm.get("note", ""), mode=str(info.get("mode")),
        gold=str(info.get("gold")), finished=str(info.get("finished")), cards=cards, cost=cost_line(o["cost"]),
        by_table=_bars([(t, cells["by_table"].get(t)) for t in TABLES]),
        by_kind=_bars([(k, cells["by_kind"][k]) for k in kinds]),
        by_template=_bars(list(cells["by_template"].items())),
        heat_head=["kind", "all", *TABLES],
        heat_rows=[[k, _cell(cells["by_kind"][k]),
                    *(_cell(cells["by_kind_table"][k].get(t) or {"accuracy": None, "n": 0}) for t in TABLES)]
                   for k in kinds],
        confusion_head=["gold \\ predicted", *PRED_CLASSES],
        confusion_rows=[[g, *(cells["confusion"][g][p] for p in PRED_CLASSES)] for g in GOLD_CLASSES],
        errors=", ".join(f"{k}: {v}" for k, v in cells["errors"].items()) or "none", reports=reports) + "\n"
