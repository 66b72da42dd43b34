"""find_claims / check_claims: the narrative rules on the seeds, on snippets, and on hand-made claims."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from pipeline.core import Document, Section
from pipeline.ingest import ingest
from pipeline.narrative import find_claims
from pipeline.narrative_rules import cell_value, check_claims
from pipeline.sections import find_sections
from schemas.claims import Claims, PartsClaim, PercentClaim, TableClaim
from schemas.record import (
    ActiveDisclosure2019,
    ActiveDisclosure2021,
    ApplicantRow,
    Applications2019,
    DecisionsRow2021,
    Finding,
    ItemRow2019,
    Meta,
    Record,
    Source,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def snippet(body: str, key: str = "overview", title: str = "一、总体情况") -> tuple[Document, list[Section]]:
    text = f"{title}\n{body}"
    return Document(name="x.txt", text=text, sha256="0"), [Section(key, title, 0, len(text), len(title) + 1)]


@cache
def seed(prefix: str) -> tuple[Document, list[Section]]:
    doc = ingest(next(SAMPLES.glob(f"{prefix}_*.txt")))
    return doc, find_sections(doc)


def record(**tables: object) -> Record:
    return Record(source=Source(name="x", sha256="0"), meta=Meta(year=2020), **tables)  # type: ignore[arg-type]


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


RECORD_003 = record(active_disclosure=ActiveDisclosure2019(other_services=ItemRow2019(decisions=1375),
                                                           licensing=ItemRow2019(decisions=5113)))
RECORD_004 = record(applications=Applications2019(new_received=ApplicantRow(total=176), granted=ApplicantRow(total=90),
                                                  partially_granted=ApplicantRow(total=20)))


# ---- seeds ---------------------------------------------------------------------------------------


def test_seed_003_percent_error() -> None:
    findings = check_claims(find_claims(*seed("003"), RECORD_003), RECORD_003)
    percent = [f for f in findings if f.rule == "narrative.percent"]
    assert len(percent) == 1
    assert (percent[0].expected, percent[0].found, percent[0].severity) == (91.49, 91.36, "error")
    assert "720/787 = 91.49%" in percent[0].message and "91.36%" in percent[0].message
    assert "占比达到91.36%" in percent[0].message


def test_seed_003_table_agreement_error() -> None:
    findings = check_claims(find_claims(*seed("003"), RECORD_003), RECORD_003)
    table = [f for f in findings if f.rule == "narrative.table_agreement"]
    assert [(f.cells, f.expected, f.found) for f in table] == [(["active_disclosure.other_services.decisions"], 1375, 1373)]
    assert "1375" in table[0].message and "1373" in table[0].message and "其他对外管理服务事项信息1373项" in table[0].message


def test_seed_003_parts_error_on_nested_list() -> None:
    claims = find_claims(*seed("003"), RECORD_003)
    assert sorted((c.whole, tuple(c.parts)) for c in claims.parts) == [(627, (339, 280, 8, 30)), (1204, (627, 577))]
    findings = [f for f in check_claims(claims, RECORD_003) if f.rule == "narrative.parts_sum"]
    assert [(f.expected, f.found) for f in findings] == [(657, 627)]


def test_seed_003_finds_exactly_the_expected_rules() -> None:
    findings = check_claims(find_claims(*seed("003"), RECORD_003), RECORD_003)
    assert rules(findings) == ["narrative.parts_sum", "narrative.percent", "narrative.table_agreement"]


def test_seed_004_percentages_all_pass() -> None:
    claims = find_claims(*seed("004"), RECORD_004)
    assert sorted((c.part, c.whole, c.percent) for c in claims.percents) == sorted(
        [(90, 176, 51.1), (20, 176, 11.4), (13, 176, 7.4), (46, 176, 26.1), (4, 176, 2.3), (1, 176, 0.6), (2, 176, 1.1)])
    assert check_claims(Claims(percents=claims.percents), RECORD_004) == []


def test_seed_004_parts_pass_and_subset_list_not_claimed() -> None:
    claims = find_claims(*seed("004"), RECORD_004)
    assert sorted((c.whole, tuple(c.parts)) for c in claims.parts) == [(97, (5, 92)), (122, (2, 8, 112)), (219, (97, 122))]
    assert all(c.whole != 18396 for c in claims.parts)
    assert check_claims(claims, RECORD_004) == []


def test_seed_004_table_claims() -> None:
    claims = find_claims(*seed("004"), RECORD_004)
    assert sorted((c.path, c.value) for c in claims.table) == [
        ("applications.granted.total", 90), ("applications.new_received.total", 176),
        ("applications.partially_granted.total", 20)]
    wrong = record(applications=Applications2019(granted=ApplicantRow(total=91)))
    findings = check_claims(claims, wrong)
    assert [(f.cells, f.expected, f.found) for f in findings] == [(["applications.granted.total"], 91, 90)]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_claim_quotes_are_source_slices(prefix: str) -> None:
    doc, sections = seed(prefix)
    claims = find_claims(doc, sections)
    for claim in [*claims.percents, *claims.parts, *claims.table]:
        assert doc.text[claim.start:claim.end] == claim.quote


def test_seed_002_item_count_is_not_decisions() -> None:
    claims = find_claims(*seed("002"))
    assert claims.table == []


def test_seed_001_received_restates_table() -> None:
    claims = find_claims(*seed("001"))
    assert [(c.path, c.value) for c in claims.table] == [("applications.new_received.total", 8)]


# ---- snippets ------------------------------------------------------------------------------------

NO_CLAIMS = [
    pytest.param("共收到申请176件，同比增长17.8%。", id="year-on-year"),
    pytest.param("全年发布信息500条，同比去年增加50条，上升11.1%。", id="year-on-year-count"),
    pytest.param("企业群众网上办事比例达到90%以上。", id="bound"),
    pytest.param("全年共主动公开政府信息4957条，其中，政务动态类118条；充分利用媒体发稿3000余篇。", id="single-part"),
    pytest.param("发布信息18396条，其中财政类信息232条，政策法规类信息308条。", id="partial-enumeration"),
    pytest.param("发布信息18396条。其中财政类信息18000条；政策法规类信息900条。", id="other-sentence"),
    pytest.param("行政许可事项精简到157项。", id="item-count"),
]


@pytest.mark.parametrize("body", NO_CLAIMS)
def test_no_claims(body: str) -> None:
    assert find_claims(*snippet(body)) == Claims()


def test_wrong_sum_in_list_is_an_error() -> None:
    claims = find_claims(*snippet("共承办建议218件，其中，人大代表建议97件，政协提案122件。"))
    findings = check_claims(claims, record())
    assert [(f.rule, f.expected, f.found) for f in findings] == [("narrative.parts_sum", 219, 218)]
    assert "97 + 122 = 219" in findings[0].message and "218" in findings[0].message


def test_wrong_sum_in_parenthesis_is_an_error() -> None:
    claims = find_claims(*snippet("其中，人大代表建议97件（市5件、区93件），办复率100%。"))
    findings = check_claims(claims, record())
    assert [(f.rule, f.expected, f.found) for f in findings] == [("narrative.parts_sum", 98, 97)]


def test_share_with_whole_before_qizhong() -> None:
    claims = find_claims(*snippet("共收到申请200件。其中予以公开50件，占比25%，部分公开20件，占比12%。", key="applications"))
    assert [(c.part, c.whole, c.percent) for c in claims.percents] == [(50, 200, 25), (20, 200, 12)]
    assert rules(check_claims(claims, record())) == ["narrative.percent"]


def test_rate_named_after_its_part() -> None:
    claims = find_claims(*snippet("共收到来电1000件，接通900件，接通率80%。"))
    assert [(c.part, c.whole, c.percent) for c in claims.percents] == [(900, 1000, 80)]


def test_table_claims_skip_other_years() -> None:
    doc, sections = snippet("2019年共收到依申请公开申请5件。")
    assert find_claims(doc, sections, record()).table == []
    assert [c.value for c in find_claims(doc, sections).table] == [5]


# ---- check_claims on hand-made claims ----------------------------------------------------------------

PERCENTS = [
    pytest.param(720, 787, 91.36, True, id="003-wrong"),
    pytest.param(720, 787, 91.49, False, id="003-right"),
    pytest.param(90, 176, 51.1, False, id="rounded"),
    pytest.param(1, 3, 33, False, id="integer-percent"),
    pytest.param(2, 3, 66.7, False, id="rounded-up"),
    pytest.param(2, 3, 66.6, False, id="truncated"),
    pytest.param(2, 3, 66.5, True, id="off-by-one-place"),
    pytest.param(5, 0, 100, False, id="zero-whole-skipped"),
]


@pytest.mark.parametrize(("part", "whole", "percent", "error"), PERCENTS)
def test_check_percent(part: float, whole: float, percent: float, error: bool) -> None:
    claim = PercentClaim(quote="q", start=0, end=1, part=part, whole=whole, percent=percent)
    assert rules(check_claims(Claims(percents=[claim]), record())) == (["narrative.percent"] if error else [])


PARTS = [
    pytest.param(219, [97, 122], False, id="adds-up"),
    pytest.param(220, [97, 122], True, id="short"),
    pytest.param(627, [339, 280, 8, 30], True, id="over"),
    pytest.param(1.5, [0.5, 1.0], False, id="decimals"),
]


@pytest.mark.parametrize(("whole", "parts", "error"), PARTS)
def test_check_parts(whole: float, parts: list[float], error: bool) -> None:
    claim = PartsClaim(quote="q", start=0, end=1, whole=whole, parts=parts)
    findings = check_claims(Claims(parts=[claim]), record())
    assert rules(findings) == (["narrative.parts_sum"] if error else [])
    assert all(f.cells == [] and f.severity == "error" for f in findings)


TABLES = [
    pytest.param(RECORD_003, "active_disclosure.other_services.decisions", 1373, True, id="differs"),
    pytest.param(RECORD_003, "active_disclosure.licensing.decisions", 5113, False, id="agrees"),
    pytest.param(RECORD_003, "active_disclosure.punishment.decisions", 7, False, id="blank-cell"),
    pytest.param(record(), "applications.new_received.total", 8, False, id="table-absent"),
    pytest.param(record(active_disclosure=ActiveDisclosure2021(licensing=DecisionsRow2021(decisions=3))),
                 "active_disclosure.other_services.decisions", 8, False, id="row-not-in-template"),
]


@pytest.mark.parametrize(("rec", "path", "value", "error"), TABLES)
def test_check_table(rec: Record, path: str, value: float, error: bool) -> None:
    claim = TableClaim(quote="q", start=0, end=1, path=path, value=value)
    findings = check_claims(Claims(table=[claim]), rec)
    assert [(f.rule, f.cells) for f in findings] == ([("narrative.table_agreement", [path])] if error else [])


def test_cell_value() -> None:
    assert cell_value(RECORD_003, "active_disclosure.licensing.decisions") == 5113
    assert cell_value(RECORD_003, "active_disclosure.licensing") is None
    assert cell_value(RECORD_003, "applications.granted.total") is None


def test_messages_are_reask_text() -> None:
    claims = Claims(percents=[PercentClaim(quote="720项实现“网上可办”，占比达到91.36%", start=0, end=1, part=720, whole=787,
                                           percent=91.36)])
    [finding] = check_claims(claims, record())
    assert finding.message == 'narrative.percent: "720项实现“网上可办”，占比达到91.36%" — 720/787 = 91.49%, stated 91.36%'
