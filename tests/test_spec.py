"""docs/spec.md (the output contract) and schemas/record.py (its code form) say the same: every table
key, row key and cell name in SPEC's tables exists in the schema and vice versa; the section keys,
the record's keys, the meta fields and the arithmetic rules agree."""

from __future__ import annotations

import re

import pytest

from evals.spec import SPEC_RULES
from schemas.record import (
    SECTION_KEYS,
    ActiveDisclosure2019,
    ActiveDisclosure2021,
    ApplicantRow,
    Applications2019,
    Applications2021,
    Finding,
    Meta,
    OutcomeGroup,
    Record,
    ReviewLitigation,
    Source,
)
from tests.conftest import ROOT

SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
_CODE = re.compile(r"`([a-z_][a-z0-9_.]*)`")


def _part(heading: str, end: str = "\n## ") -> str:
    start = SPEC.index(heading)
    stop = SPEC.find(end, start + len(heading))
    return SPEC[start: stop if stop >= 0 else len(SPEC)]


def _table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in `text`, as lists of cells."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"\|\s*-", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return [r for r in rows if _CODE.match(r[0])]  # header rows name no key


def _row_fields(text: str) -> dict[str, list[str]]:
    """Table 二: key -> its fields (`same three` / `same` repeat the row above)."""
    out: dict[str, list[str]] = {}
    previous: list[str] = []
    for key, _, fields in _table_rows(text):
        names = _CODE.findall(fields) or previous
        out[_CODE.match(key).group(1)] = names  # type: ignore[union-attr]
        previous = names
    return out


def _schema_rows(model: type) -> dict[str, list[str]]:
    return {name: list(field.annotation.model_fields)  # type: ignore[union-attr]
            for name, field in model.model_fields.items() if name != "template"}


@pytest.mark.parametrize(("heading", "model"), [
    pytest.param("Template 2019:", ActiveDisclosure2019, id="active_disclosure-2019"),
    pytest.param("Template 2021:", ActiveDisclosure2021, id="active_disclosure-2021"),
])
def test_table_two_rows_and_cells(heading, model):
    assert _row_fields(_part(heading, "\n\n")) == _schema_rows(model)


def test_table_three_columns():
    text = _part("## Table 三")
    columns = _CODE.findall(text[text.index("applicant columns"): text.index("| key")])
    assert columns == list(ApplicantRow.model_fields)


@pytest.mark.parametrize(("template", "model"), [pytest.param("2019", Applications2019, id="2019"),
                                                 pytest.param("2021", Applications2021, id="2021")])
def test_table_three_rows(template, model):
    other = "2021" if template == "2019" else "2019"
    rows = [_CODE.match(key).group(1) for key, label in _table_rows(_part("## Table 三"))  # type: ignore[union-attr]
            if f"template {other}" not in label]
    assert rows == [name for name in model.model_fields if name != "template"]


def test_table_four_groups_and_cells():
    text = _part("## Table 四")
    fields = re.findall(r"[a-z_]+", text[text.index("{"): text.index("}")])  # `{upheld 结果维持, …}`
    groups = _CODE.findall(text[text.index("}"):])
    assert fields == list(OutcomeGroup.model_fields)
    assert groups == list(ReviewLitigation.model_fields)


def test_section_keys():
    assert [_CODE.match(k).group(1) for k, _ in _table_rows(_part("## The report"))] == list(SECTION_KEYS)  # type: ignore[union-attr]


def test_record_source_meta_and_finding_keys():
    block = _part("## The record", "```\n-")
    top = re.findall(r'^\s+"(\w+)":', block, re.M)
    assert top == [k for k in Record.model_fields if k in top]  # SPEC's keys, in the schema's order
    assert set(Record.model_fields) - set(top) <= {"not_extracted", "llm"}  # what the record adds, documented in README
    inner = dict(re.findall(r'^\s+"(\w+)":\s*(.*)$', block, re.M))
    assert set(re.findall(r'"(\w+)":', inner["source"])) <= set(Source.model_fields)
    assert re.findall(r'"(\w+)":', inner["meta"]) == list(Meta.model_fields)
    assert set(re.findall(r'"(\w+)":', inner["findings"])) <= set(Finding.model_fields)


def test_arithmetic_rules():
    rules = {_CODE.match(rule).group(1) for rule, _ in _table_rows(_part("## The arithmetic rules"))}  # type: ignore[union-attr]
    assert rules == set(SPEC_RULES)
