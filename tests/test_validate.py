"""Validators: named cases that pass and fail each table rule, plus property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.validate import validate, validate_tables
from schemas import (
    ActiveDisclosure2019,
    ApplicantRow,
    Applications2019,
    Applications2021,
    Fact,
    OutcomeGroup,
    Record,
    ReviewLitigation,
    Source,
    SpanOut,
)

COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total"]
ZERO = dict.fromkeys(COLS, 0)


def row(*six: int | None, total: int | None = None) -> ApplicantRow:
    values = dict(zip(COLS[:6], six, strict=True))
    auto = sum(v or 0 for v in six)
    return ApplicantRow(**values, total=auto if total is None else total)


def consistent_2019() -> Applications2019:
    return Applications2019(
        new_received=row(10, 2, 0, 0, 0, 0), carried_over=row(1, 0, 0, 0, 0, 0),
        granted=row(6, 1, 0, 0, 0, 0), unavailable_not_held=row(3, 1, 0, 0, 0, 0),
        total_processed=row(9, 2, 0, 0, 0, 0), carried_forward=row(2, 0, 0, 0, 0, 0),
        **{k: ApplicantRow(**ZERO) for k in Applications2019.model_fields
           if k not in {"template", "new_received", "carried_over", "granted", "unavailable_not_held",
                        "total_processed", "carried_forward"}},
    )


def rec(**tables) -> Record:
    return Record(source=Source(name="t.txt", sha256="0"), **tables)


def rules(record: Record, severity: str = "error") -> set[str]:
    return {f.rule for f in validate_tables(record) if f.severity == severity}


def test_consistent_table_passes_every_rule():
    assert rules(rec(applications=consistent_2019())) == set()


@pytest.mark.parametrize("path,value,rule", [
    pytest.param("granted.total", 8, "applications.row_total", id="row-total"),
    pytest.param("granted.natural_person", 7, "applications.row_total", id="row-total-part"),
    pytest.param("total_processed.commercial_enterprise", 3, "applications.outcome_sum", id="outcome-sum"),
    pytest.param("carried_forward.natural_person", 5, "applications.balance", id="balance"),
])
def test_each_application_rule_fails_on_a_wrong_cell(path, value, rule):
    apps = consistent_2019()
    row_key, col = path.split(".")
    setattr(getattr(apps, row_key), col, value)
    found = [f for f in validate_tables(rec(applications=apps)) if f.rule == rule]
    assert found, rule
    f = found[0]
    assert f"applications.{path}" in f.cells and f.expected is not None and f.found is not None
    assert "expected" in f.message and "found" in f.message


def test_blank_is_read_as_zero_with_a_warning():
    apps = consistent_2019()
    apps.declined_petition = ApplicantRow()  # all blank: consistent as 0
    assert rules(rec(applications=apps)) == set()
    warn = [f for f in validate_tables(rec(applications=apps)) if f.rule == "null_as_zero"]
    assert warn and "applications.declined_petition.total" in warn[0].cells


@pytest.mark.parametrize("group,expect_error", [
    pytest.param(OutcomeGroup(upheld=4, corrected=1, other=0, pending=0, total=5), False, id="adds-up"),
    pytest.param(OutcomeGroup(upheld=4, corrected=1, other=0, pending=0, total=6), True, id="total-off"),
    pytest.param(OutcomeGroup(upheld=None, corrected=1, other=0, pending=1, total=2), False, id="blank-as-zero"),
])
def test_group_total(group, expect_error):
    record = rec(review_litigation=ReviewLitigation(review=group))
    assert ("review_litigation.group_total" in rules(record)) is expect_error


@pytest.mark.parametrize("change,decisions,expect_error", [
    pytest.param(-13, 10, False, id="negative-change-ok"),
    pytest.param(5, -1, True, id="negative-count"),
])
def test_nonnegative(change, decisions, expect_error):
    ad = ActiveDisclosure2019.model_validate({"template": "2019", "enforcement": {"change": change, "decisions": decisions}})
    assert ("active_disclosure.nonnegative" in rules(rec(active_disclosure=ad))) is expect_error


def test_template_consistent():
    ad = ActiveDisclosure2019()
    apps = Applications2021()
    assert "template.consistent" in rules(rec(active_disclosure=ad, applications=apps))
    assert "template.consistent" not in rules(rec(active_disclosure=ad, applications=consistent_2019()))


@pytest.mark.parametrize("source,span,value,expect_error", [
    pytest.param("行政许可\t5113\n", (5, 9), 5113, False, id="grounded"),
    pytest.param("行政许可\t5113\n", (5, 9), 5118, True, id="invented"),
    pytest.param("采购\t161330元\n", (3, 10), 16.133, False, id="yuan-to-wan"),
])
def test_grounding_of_cells(source, span, value, expect_error):
    field = "procurement.amount_wan" if "元" in source else "licensing.decisions"
    r, f = field.split(".")
    ad = ActiveDisclosure2019.model_validate({"template": "2019", r: {f: value}})
    record = rec(active_disclosure=ad)
    record.provenance[f"active_disclosure.{field}"] = SpanOut(start=span[0], end=span[1])
    assert any(x.rule == "grounding" for x in validate(record, source)) is expect_error


def test_grounding_of_facts():
    text = "共发布信息387篇。"
    good = Fact(section="overview", subject="发布信息", value=387, unit="篇", quote=text, start=0, end=len(text))
    bad = good.model_copy(update={"value": 388})
    assert not validate(rec(facts=[good]), text)
    assert [f.rule for f in validate(rec(facts=[bad]), text)] == ["grounding"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=6, max_size=6), st.lists(st.integers(0, 50), min_size=6, max_size=6),
       st.integers(0, 6), st.integers(1, 9))
def test_property_consistent_tables_pass_and_one_changed_cell_fails(granted, carried, col, delta):
    new = row(*granted)
    co = row(*carried)
    apps = Applications2019(new_received=new, carried_over=co, granted=row(*[a + b for a, b in zip(granted, carried, strict=True)]),
                            total_processed=row(*[a + b for a, b in zip(granted, carried, strict=True)]),
                            carried_forward=row(0, 0, 0, 0, 0, 0))
    assert rules(rec(applications=apps)) == set()
    name = COLS[col]
    setattr(apps.carried_forward, name, delta)
    assert rules(rec(applications=apps)) & {"applications.balance", "applications.row_total"}
