"""A self-contained HTML page of an evaluation run: inline SVG bar charts and CSS, no scripts."""

from __future__ import annotations

from html import escape
from typing import Any

from evals.cells import GOLD_CLASSES, PRED_CLASSES
from evals.report_md import cost_line, frac, pct, pr
from evals.spec import TABLES

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.banner{background:#fff3cd;border:1px solid #e0c36a;padding:8px 12px;font-weight:bold}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{display:block;font-size:20px}.heat td.v{text-align:right}svg text{font-size:12px;fill:#222}
"""
BAR_W = 520
LABEL_W = 190
ROW_H = 24


def _colour(acc: float | None) -> str:
    if acc is None:
        return "#bbbbbb"
    if acc >= 0.98:
        return "#2e7d32"
    return "#f9a825" if acc >= 0.9 else "#c62828"


def bar_chart(chart_id: str, title: str, items: list[tuple[str, dict[str, Any] | None]]) -> str:
    """Horizontal bars of accuracy, one per (label, {n, ok, accuracy})."""
    height = ROW_H * len(items) + 30
    width = LABEL_W + BAR_W + 140
    parts = [f'<svg id="{chart_id}" class="chart" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
             f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, part) in enumerate(items):
        y = 24 + i * ROW_H
        acc = (part or {}).get("accuracy")
        w = 0 if acc is None else round(BAR_W * acc, 1)
        parts += [f'<text x="0" y="{y + 15}">{escape(label)}</text>',
                  f'<rect x="{LABEL_W}" y="{y + 3}" width="{BAR_W}" height="{ROW_H - 8}" fill="#eee"/>',
                  f'<rect class="bar" data-label="{escape(label)}" x="{LABEL_W}" y="{y + 3}" width="{w}" '
                  f'height="{ROW_H - 8}" fill="{_colour(acc)}"/>',
                  f'<text x="{LABEL_W + BAR_W + 8}" y="{y + 15}">{escape(frac(part))}</text>']
    return "\n".join(parts + ["</svg>"])


def _table(head: list[str], rows: list[list[Any]], cls: str = "") -> str:
    th = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><tr>{th}</tr>{body}</table>'


def _td(cell: Any) -> str:
    if isinstance(cell, dict) and "accuracy" in cell:
        acc = cell.get("accuracy")
        style = "" if acc is None else f' style="background:{_colour(acc)}22"'
        return f'<td class="v"{style}>{escape(frac(cell))}</td>'
    return f"<td>{escape(str(cell))}</td>"


def _cards(o: dict[str, Any]) -> str:
    cards = [("cells", pct(o["cells"]["accuracy"])), ("meta", pct(o["meta"]["all"]["accuracy"])),
             ("facts", pr(o["facts"])), ("findings", pr(o["findings"])), ("problems", pr(o["problems"])),
             ("reports", f"{o['reports']} ({o['failed']} failed)")]
    inner = "".join(f'<div class="card">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)
    return f'<div class="cards">{inner}</div><p>{escape(cost_line(o["cost"]))}</p>'


def _confusion(cells: dict[str, Any]) -> str:
    rows = [[g, *(cells["confusion"][g][p] for p in PRED_CLASSES)] for g in GOLD_CLASSES]
    errors = ", ".join(f"{k}: {v}" for k, v in cells["errors"].items()) or "none"
    return _table(["gold \\ predicted", *PRED_CLASSES], rows, "confusion") + f"<p>Errors by class: {escape(errors)}</p>"


def _reports(reports: list[dict[str, Any]]) -> str:
    rows = [[r["name"], r.get("kind"), r.get("template"), r["summary"]["cells"], r["summary"]["meta"]["all"],
             pr(r["summary"]["facts"]), pr(r["summary"]["findings"]), r.get("error") or ""] for r in reports]
    return _table(["report", "kind", "template", "cells", "meta", "facts", "findings", "error"], rows)


def render_html(run: dict[str, Any], title: str = "nianbao evaluation") -> str:
    o, info = run["overall"], run["run"]
    cells = o["cells"]
    llm = info.get("llm") or {}
    banner = f'<p class="banner">{escape(llm.get("note", ""))}</p>' if llm.get("mode") == "scripted" else \
        f'<p>LLM: {escape(str(llm.get("mode")))} — {escape(llm.get("note", ""))}</p>'
    kinds = list(cells["by_kind"])
    heat = _table(["kind", "all", *TABLES],
                  [[k, cells["by_kind"][k], *(cells["by_kind_table"][k].get(t) or {"accuracy": None, "n": 0}
                                              for t in TABLES)] for k in kinds], "heat")
    body = [f"<h1>{escape(title)}</h1>", banner,
            f"<p>Mode {escape(str(info.get('mode')))}, gold {escape(str(info.get('gold')))}, "
            f"finished {escape(str(info.get('finished')))}</p>", _cards(o),
            "<h2>Accuracy per table</h2>",
            bar_chart("chart-table", "cell accuracy per table", [(t, cells["by_table"].get(t)) for t in TABLES]),
            "<h2>Accuracy per damage kind</h2>",
            bar_chart("chart-kind", "cell accuracy per damage kind", [(k, cells["by_kind"][k]) for k in kinds]),
            heat, "<h2>Per template</h2>",
            bar_chart("chart-template", "cell accuracy per template", list(cells["by_template"].items())),
            "<h2>Null / zero / number</h2>", _confusion(cells)]
    if run.get("reports"):
        body += ["<h2>Per report</h2>", _reports(run["reports"])]
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n")
