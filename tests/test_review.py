"""The review site without a browser: form layout, excerpts, cell kinds, loading, comparisons, index."""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.review import build_site
from pipeline.review.compare import compare, pairs
from pipeline.review.form import cell_labels, cell_paths
from pipeline.review.index import heatmap, index_rows
from pipeline.review.load import Loaded, excerpts, load_batch, quote_span
from pipeline.review.report import cell_views
from schemas import Finding, Record
from schemas.record import (
    ActiveDisclosure2019,
    ActiveDisclosure2021,
    Applications2019,
    Applications2021,
    ReviewLitigation,
)

TABLES = {"2019": (ActiveDisclosure2019, Applications2019), "2021": (ActiveDisclosure2021, Applications2021)}


def _schema_paths(template: str) -> set[str]:
    """Every cell path of a template, read off the record models (not off the form layout)."""
    out = set()
    for name, model in zip(("active_disclosure", "applications", "review_litigation"),
                           (*TABLES[template], ReviewLitigation), strict=True):
        for row, cells in model().model_dump().items():
            if isinstance(cells, dict):
                out |= {f"{name}.{row}.{col}" for col in cells}
    return out


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_form_draws_every_cell_of_the_template_once(template: str) -> None:
    paths = cell_paths(template)
    assert len(paths) == len(set(paths))
    assert set(paths) == _schema_paths(template)
    assert len(cell_labels(template)) == len(paths)


@pytest.mark.parametrize(("path", "label"), [
    ("applications.denied_state_secret.natural_person", "1.属于国家秘密 · 自然人"),
    ("active_disclosure.licensing.change", "行政许可 · 本年增/减"),
    ("review_litigation.litigation_direct.pending", "未经复议直接起诉 尚未审结"),
])
def test_cell_labels_are_the_forms_own(path: str, label: str) -> None:
    assert label in cell_labels("2019")[path]


@pytest.mark.parametrize(("spans", "context", "expected"), [
    pytest.param([(10, 12)], 3, [(7, "789abcde")], id="one span, clipped context"),
    pytest.param([(2, 3), (5, 6)], 2, [(0, "01234567")], id="overlapping windows merge"),
    pytest.param([(2, 3), (20, 21)], 1, [(1, "123"), (19, "jkl")], id="far apart stay apart"),
    pytest.param([(0, 1)], 5, [(0, "012345")], id="clipped at the start"),
    pytest.param([(24, 26)], 4, [(20, "klmnop")], id="clipped at the end"),
])
def test_excerpts(spans: list[tuple[int, int]], context: int, expected: list[tuple[int, str]]) -> None:
    text = "0123456789abcdefghijklmnop"
    got = excerpts(text, spans, context)
    assert got == expected


@pytest.mark.parametrize(("message", "expected"), [
    pytest.param('narrative.percent: "共720项，占比91.36%" — 720/787 = 91.49%', (3, 17), id="quoted sentence"),
    pytest.param('narrative.percent: "不在原文中" — x', None, id="quote not in the source"),
    pytest.param("applications.balance: applications.total: expected 3, found 4", None, id="no quote"),
])
def test_quote_span(message: str, expected: tuple[int, int] | None) -> None:
    assert quote_span("前言。共720项，占比91.36%。", message) == expected


def _record(name: str, agency: str | None = "某市某局", year: int | None = 2021, template: str = "2021",
            carried_over: dict[str, int] | None = None, carried_forward: dict[str, int] | None = None,
            findings: list[Finding] | None = None, **extra: Any) -> Record:
    apps = {"template": template, "carried_over": carried_over or {}, "carried_forward": carried_forward or {}}
    return Record.model_validate({
        "source": {"name": f"{name}.txt", "sha256": "0" * 64},
        "meta": {"agency": agency, "year": year, "template": template}, "applications": apps,
        "findings": [f.model_dump() for f in findings or []], **extra})


def _loaded(record: Record, stem: str | None = None, text: str | None = None) -> Loaded:
    stem = stem or record.source.name.removesuffix(".txt")
    return Loaded(Path(f"/x/{stem}.json"), record, record.model_dump(mode="json"), text)


def test_cell_kinds_and_severities() -> None:
    record = _record(
        "a", carried_over={"natural_person": 4, "commercial_enterprise": 2},
        findings=[Finding(rule="tables.ambiguous", severity="warning", message="m",
                          cells=["applications.new_received.natural_person"]),
                  Finding(rule="applications.balance", severity="error", message="m",
                          cells=["applications.carried_over.natural_person"]),
                  Finding(rule="null_as_zero", severity="warning", message="m",
                          cells=["applications.carried_over.natural_person"])],
        llm={"model": "m", "prompt_version": "1", "cells": {"applications.carried_over.commercial_enterprise":
                                                           {"attempts": 1}}})
    views = cell_views(_loaded(record))
    assert (views["applications.carried_over.natural_person"].kind,
            views["applications.carried_over.natural_person"].severity) == ("read", "error")
    assert views["applications.new_received.natural_person"].severity == "warning"
    assert views["applications.carried_over.commercial_enterprise"].kind == "llm"
    assert views["applications.new_received.natural_person"].kind == "unsettled"
    assert views["applications.new_received.other_org"].kind == "blank"
    assert views["applications.new_received.other_org"].css == "cell blank"


COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")


@pytest.mark.parametrize(("forward", "over", "statuses"), [
    pytest.param([1, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 1], {"ok": 7}, id="carried exactly"),
    pytest.param([1, 0, 0, 0, 0, 0, 1], [6, 0, 0, 0, 0, 0, 6], {"break": 2, "ok": 5}, id="planted break"),
    pytest.param([1, None, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 1], {"not compared": 1, "ok": 6}, id="blank side"),
])
def test_carry_per_column(forward: list[int | None], over: list[int | None], statuses: dict[str, int]) -> None:
    prev = _loaded(_record("p", year=2021, carried_forward=dict(zip(COLS, forward, strict=True))))
    cur = _loaded(_record("c", year=2022, carried_over=dict(zip(COLS, over, strict=True))))
    got = compare(prev, cur)
    counts: dict[str, int] = {}
    for row in got.carry:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    assert counts == statuses
    assert got.breaks == statuses.get("break", 0)
    row = next(r for r in got.cells if r[0] == "applications.carried_over.natural_person")
    assert row[2:] == [None, over[0]]


def test_pairs_need_the_same_agency_in_consecutive_years() -> None:
    reports = [_loaded(_record(n, agency=a, year=y)) for n, a, y in
               [("a1", "甲局", 2020), ("a2", "甲 局", 2021), ("a4", "甲局", 2023), ("b1", "乙局", 2021), ("x", None, 2022)]]
    assert [(p.stem, c.stem) for p, c in pairs(reports)] == [("a1", "a2")]


def test_sections_changed_most_needs_both_texts() -> None:
    sections = [{"key": "overview", "title": "一", "start": 0, "end": 6},
                {"key": "problems", "title": "五", "start": 6, "end": 12}]
    prev = _loaded(_record("p", year=2021, sections=sections), text="今年工作很好问题是人手不足")
    cur = _loaded(_record("c", year=2022, sections=sections), text="今年工作很好数据共享困难")
    got = compare(prev, cur).sections
    assert [s["key"] for s in got] == ["problems", "overview"] and got[1]["changed"] == 0
    assert compare(prev, _loaded(cur.record, "c")).sections == []


def test_index_rows_and_heatmap() -> None:
    bad = Finding(rule="applications.balance", severity="error", message="m")
    warn = Finding(rule="null_as_zero", severity="warning", message="m")
    reports = [_loaded(_record("a", agency="甲局", year=2020, findings=[bad, bad, warn])),
               _loaded(_record("b", agency="甲局", year=2021)), _loaded(_record("c", agency="乙局", year=2021, findings=[bad]))]
    comparisons = [compare(p, c) for p, c in pairs(reports)]
    rows = {r["name"]: r for r in index_rows(reports, comparisons)}
    assert (rows["a.txt"]["errors"], rows["a.txt"]["warnings"], rows["c.txt"]["errors"]) == (2, 1, 1)
    assert rows["a.txt"]["compare"] == rows["b.txt"]["compare"] == [["2020→2021", "a__b.html", "0"]]
    assert rows["c.txt"]["compare"] == []
    heat = heatmap(reports)
    assert heat["years"] == [2020, 2021]
    assert [r["agency"] for r in heat["rows"]] == ["甲局", "乙局"]
    assert [c["errors"] for c in heat["rows"][0]["cells"]] == [2, 0]
    assert [c["errors"] for c in heat["rows"][1]["cells"]] == [None, 1]


def _write(folder: Path, record: Record, text: str | None = None) -> None:
    if text is not None:
        data = text.encode("utf-8")
        record.source.sha256 = hashlib.sha256(data).hexdigest()
        (folder / "src").mkdir(exist_ok=True)
        (folder / "src" / record.source.name).write_bytes(data)
    (folder / "out").mkdir(exist_ok=True)
    (folder / "out" / f"{Path(record.source.name).stem}.json").write_text(record.model_dump_json(), encoding="utf-8")


def test_load_batch_sources_and_bad_files(tmp_path: Path) -> None:
    _write(tmp_path, _record("good"), "上年结转 4")
    _write(tmp_path, _record("changed"), "原文")
    (tmp_path / "src" / "changed.txt").write_text("原文被改过", encoding="utf-8")
    _write(tmp_path, _record("nosource"))
    (tmp_path / "out" / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "out" / "other.json").write_text('{"a": 1}', encoding="utf-8")
    batch = load_batch(tmp_path / "out", tmp_path / "src")
    got = {r.stem: (r.text, r.source_note) for r in batch.reports}
    assert got["good"] == ("上年结转 4", "")
    assert got["changed"][0] is None and "sha256 differs" in got["changed"][1]
    assert got["nosource"][0] is None and "not in the sources folder" in got["nosource"][1]
    assert sorted(p.split(":")[0] for p in batch.problems) == ["broken.json", "other.json"]


def test_page_data_cannot_break_out_of_its_script(tmp_path: Path) -> None:
    evil = Finding(rule="grounding", severity="error", message='</script><script>alert(1)</script> "&',
                   cells=["applications.carried_over.total"])
    _write(tmp_path, _record("evil", carried_over={"total": 3}, findings=[evil],
                             provenance={"applications.carried_over.total": {"start": 5, "end": 6}}), "上年结转：3 件")
    build_site(tmp_path / "out", tmp_path / "site", tmp_path / "src")
    page = (tmp_path / "site" / "reports" / "evil.html").read_text(encoding="utf-8")
    assert page.count("<script") == 2  # the data block and site.js, nothing injected
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    assert data["findings"][0]["message"] == evil.message
    assert data["excerpts"] == [[0, "上年结转：3 件"]]
    assert data["spans"]["applications.carried_over.total"] == [5, 6]


def test_review_command(tmp_path: Path) -> None:
    _write(tmp_path, _record("a", agency="甲局", year=2020))
    _write(tmp_path, _record("b", agency="甲局", year=2021))
    result = CliRunner().invoke(app, ["review", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 reports, 1 comparisons" in result.output
    site = tmp_path / "out" / "site"
    assert {p.name for p in site.rglob("*") if p.is_file()} == {
        "index.html", "a.html", "b.html", "a.json", "b.json", "a__b.html", "site.css", "site.js"}
    empty = CliRunner().invoke(app, ["review", str(tmp_path / "nothing")])
    assert empty.exit_code == 1 and "ERROR (review)" in empty.output


def test_links_survive_file_names_with_url_characters(tmp_path: Path) -> None:
    for name, year in (("甲 #1", 2020), ("甲 #2", 2021)):
        record = _record(name, agency="甲局", year=year)
        _write(tmp_path, record)
    build_site(tmp_path / "out", tmp_path / "site")
    report = (tmp_path / "site" / "reports" / "甲 #1.html").read_text(encoding="utf-8")
    assert 'href="../records/%E7%94%B2%20%231.json"' in report
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="reports/%E7%94%B2%20%231.html"' in index  # the heatmap
    pair = (tmp_path / "site" / "compare" / "甲 #1__甲 #2.html").read_text(encoding="utf-8")
    assert 'href="../reports/%E7%94%B2%20%232.html"' in pair


def test_png_of_a_grayscale_bitmap() -> None:
    from pipeline.review.pdfpages import png_gray

    png = png_gray(b"\x00\xff\x80\x10", 2, 2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (2, 2) and png[24:26] == b"\x08\x00"  # 8-bit grayscale
    idat = png.index(b"IDAT")
    length = struct.unpack(">I", png[idat - 4:idat])[0]
    assert zlib.decompress(png[idat + 4:idat + 4 + length]) == b"\x00\x00\xff\x00\x80\x10"  # filter byte per row
    assert png.endswith(b"IEND\xaeB`\x82")
