"""Every table cell a person labelled in evals/gold/ is read exactly (blank is null, not 0)."""

from __future__ import annotations

import json

import pytest

from evals.score import expected_instances
from pipeline.extract import extract
from tests.conftest import GOLD, SAMPLE_NAMES, SAMPLES

TABLES = ("active_disclosure", "applications", "review_litigation")


def _gold_cells(gold: dict) -> dict[str, object]:
    out = {}
    for table in TABLES:
        for row, fields in (gold.get(table) or {}).items():
            if isinstance(fields, dict):
                out.update({f"{table}.{row}.{name}": value for name, value in fields.items()})
    return out


def _cell(record: dict, path: str) -> object:
    node = record
    for part in path.split("."):
        node = (node or {}).get(part)
    return node


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return {name: extract(SAMPLES / name).model_dump(mode="json") for name in SAMPLE_NAMES}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_table_cells_match_gold(records, name):
    gold = json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
    record = records[name]
    wrong = {}
    for path, expected in _gold_cells(gold).items():
        got = _cell(record, path)
        if got != expected or (got is None) != (expected is None):
            wrong[path] = (expected, got)
    assert not wrong, f"{len(wrong)} cells differ from gold (expected, got): {wrong}"


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_ambiguous_cells_are_null_or_flagged(records, name):
    gold = json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
    record = records[name]
    flagged = {c for f in record["findings"] for c in f["cells"]}
    for path in gold.get("ambiguous", []):
        row = path.rsplit(".", 1)[0]
        assert _cell(record, path) is None or row in flagged or path in flagged, path


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_meta_matches_gold(records, name):
    gold = json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
    meta = records[name]["meta"]
    for key, expected in gold["meta"].items():
        assert meta[key] == expected, (key, expected, meta[key])


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_expected_table_findings_are_raised(records, name):
    gold = json.loads((GOLD / name.replace(".txt", ".json")).read_text(encoding="utf-8"))
    raised = {f["rule"] for f in records[name]["findings"] if f["severity"] == "error"}
    reported = {f["rule"] for f in records[name]["findings"]}  # warnings where unreadable cells are involved
    expected = {g["rule"] for g in expected_instances(gold.get("expected_findings", []))}
    table_rules = {r for r in expected if not r.startswith("narrative.")}
    assert table_rules <= reported
    spec_errors = {r for r in raised if r.split(".")[0] in ("applications", "review_litigation", "active_disclosure")}
    assert spec_errors <= expected, "a table rule fired that a person did not expect"
