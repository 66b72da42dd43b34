"""Cross-year checks: agency names, pairing, `cross_year.carry` and 现行有效件数 continuity, and the
seven-year generated batch that must find its planted break and nothing else."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evals.multiyear import write_series
from pipeline.cli import app
from pipeline.crossyear import ReportKey, agency_key, carry_findings, cross_year_findings, pair_reports
from schemas import Record

runner = CliRunner()


@pytest.mark.parametrize(("a", "b", "same"), [
    pytest.param("宜昌市财政局", "宜昌市 财政局", True, id="space"),
    pytest.param("宜昌市财政局", "宜昌市财政局\u3000", True, id="ideographic-space"),
    pytest.param("中共（宜昌）市委", "中共(宜昌)市委", True, id="full-width-brackets"),
    pytest.param("ＡＢＣ区人民政府", "ABC区人民政府", True, id="full-width-letters"),
    pytest.param("宜昌市人民政府", "宜昌市人民政府办公室", False, id="office-is-another-agency"),
    pytest.param("宜昌市财政局", "宜昌市教育局", False, id="other-agency"),
])
def test_agency_names_are_matched_after_the_documented_normalisation(a, b, same):
    assert (agency_key(a) == agency_key(b)) is same


def test_pairing_links_consecutive_years_and_says_why_a_report_has_no_pair():
    keys = [ReportKey("a19", "甲局", 2019), ReportKey("a20", "甲 局", 2020), ReportKey("a21", "甲局", 2021),
            ReportKey("a23", "甲局", 2023), ReportKey("b20", "乙局", 2020), ReportKey("b20bis", "乙局", 2020),
            ReportKey("b21", "乙局", 2021), ReportKey("c", None, 2020), ReportKey("d", "丁局", None)]
    pairing = pair_reports(keys)
    assert pairing.pairs == [("a19", "a20"), ("a20", "a21")]
    assert pairing.unpaired == {"a23": "no report of the year before or after", "b20": "2 reports of 乙局 2020",
                                "b20bis": "2 reports of 乙局 2020", "b21": "no report of the year before or after",
                                "c": "no agency", "d": "no year"}


def _record(year: int, carried_over: dict[str, int | None], carried_forward: dict[str, int | None],
            in_force: tuple[int, int, int] | None = None) -> Record:
    data = {"source": {"name": f"{year}.txt", "sha256": "0" * 64}, "meta": {"agency": "甲局", "year": year},
            "applications": {"template": "2021", "carried_over": carried_over, "carried_forward": carried_forward}}
    if in_force is not None:
        issued, repealed, count = in_force
        data["active_disclosure"] = {"template": "2021",
                                     "regulations": {"issued": issued, "repealed": repealed, "in_force": count}}
    return Record.model_validate(data)


def test_carry_is_checked_per_column_and_blank_cells_are_not_compared():
    prev = _record(2020, {}, {"natural_person": 3, "commercial_enterprise": 1, "legal_service_org": None, "total": 4})
    cur = _record(2021, {"natural_person": 3, "commercial_enterprise": 2, "legal_service_org": 5, "total": 5}, {})
    findings = carry_findings(prev, cur)
    assert [(f.cells, f.expected, f.found, f.severity) for f in findings] == [
        (["applications.carried_over.commercial_enterprise"], 1, 2, "error"),
        (["applications.carried_over.total"], 4, 5, "error")]
    assert findings[0].message.startswith("cross_year.carry: applications.carried_over.commercial_enterprise: "
                                          "上年结转 = 结转下年度 of the 2020 report 2020.txt; expected 1, found 2")
    for_prev, _ = cross_year_findings(prev, cur)
    assert [f.cells for f in for_prev] == [["applications.carried_forward.commercial_enterprise"],
                                           ["applications.carried_forward.total"]]


@pytest.mark.parametrize(("prev_count", "now", "expected_findings"), [
    pytest.param(40, (3, 1, 42), 0, id="continues"),
    pytest.param(40, (3, 1, 50), 1, id="jumps"),
])
def test_in_force_continuity_is_a_warning(prev_count, now, expected_findings):
    prev = _record(2021, {}, {}, (0, 0, prev_count))
    cur = _record(2022, {}, {}, now)
    _, for_cur = cross_year_findings(prev, cur)
    assert len(for_cur) == expected_findings
    if for_cur:
        assert for_cur[0].rule == "cross_year.in_force" and for_cur[0].severity == "warning"
        assert (for_cur[0].expected, for_cur[0].found) == (42, 50)


def test_seven_year_batch_finds_the_planted_break_and_nothing_else(tmp_path):
    plant = write_series(tmp_path / "in", seed=3, break_year=2022, column="natural_person")
    (tmp_path / "in" / "planted.json").rename(tmp_path / "planted.json")
    result = runner.invoke(app, ["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert "cross-year: 6 pairs, 2 findings" in result.output
    found = {}
    for path in sorted((tmp_path / "out").glob("agency_*.json")):
        record = Record.model_validate_json(path.read_bytes())
        found[record.meta.year] = [(f.rule, f.cells) for f in record.findings]
    assert plant["cells"] == ["applications.carried_over.natural_person", "applications.carried_over.total"]
    assert found == {**{y: [] for y in range(2019, 2026)},
                     2021: [("cross_year.carry", [c]) for c in plant["prev_cells"]],
                     2022: [("cross_year.carry", [c]) for c in plant["cells"]]}


def test_a_rerun_gives_the_same_records(tmp_path):
    write_series(tmp_path / "in", seed=1)
    args = ["extract", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "2"]
    runner.invoke(app, args)
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.json")}
    result = runner.invoke(app, [*args, "--resume"])
    assert "0 extracted, 7 skipped" in result.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.json")} == first
    assert json.loads(first["agency_2022.json"])["findings"][0]["rule"] == "cross_year.carry"
