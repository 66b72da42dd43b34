"""The HTML report: self-contained, with the charts; rendered in headless Chromium when present."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from evals.aggregate import summarise
from evals.report_html import render_html
from evals.score import score_report

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _run() -> dict[str, Any]:
    gold = {"source": {"name": "a.txt"}, "meta": {"template": "2019"},
            "applications": {"granted": {"natural_person": 3, "total": None}},
            "review_litigation": {"review": {"total": 0}}}
    record = {"applications": {"template": "2019", "granted": {"natural_person": 3, "total": 0}},
              "review_litigation": {"review": {"total": 0}}, "meta": {"template": "2019"}}
    reports = [score_report(gold, record, kind=kind) for kind in ("tab_rows", "run_together")]
    for r in reports:
        r["summary"] = summarise([r])
    return {"run": {"mode": "records", "gold": "g", "llm": {"mode": "scripted", "note": "scripted server"}},
            "overall": summarise(reports), "reports": reports}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained_with_charts() -> None:
    page = render_html(_run())
    parser = _Collect()
    parser.feed(page)
    ids = {a.get("id") for _, a in parser.tags}
    assert {"chart-table", "chart-kind", "chart-template"} <= ids
    bars = [a for t, a in parser.tags if t == "rect" and a.get("class") == "bar"]
    assert {b["data-label"] for b in bars} >= {"applications", "review_litigation", "tab_rows", "run_together"}
    assert not any(t == "script" or a.get("src") or (t == "link" and a.get("href")) for t, a in parser.tags)
    assert "scripted server" in page  # the scripted-LLM warning is on the page


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "eval.html"
    page.write_text(render_html(_run()), encoding="utf-8")
    shot = tmp_path / "eval.png"
    base = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60)
    assert 'id="chart-kind"' in dom.stdout and 'class="bar"' in dom.stdout
    subprocess.run([*base, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()],
                   capture_output=True, timeout=60)
    assert shot.exists() and shot.stat().st_size > 10_000
