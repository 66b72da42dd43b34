"""Scoring on small hand-made gold/record pairs: cells, ambiguity, meta, facts, findings."""

from __future__ import annotations

from typing import Any

import pytest

from evals.aggregate import summarise
from evals.cells import score_cell, score_cells
from evals.score import gold_issues, score_facts, score_findings, score_meta, score_problems, score_report
from schemas import Record

PATH = "applications.granted.total"


@pytest.mark.parametrize(
    ("gold", "pred", "present", "ok", "error"),
    [
        pytest.param(None, None, True, True, None, id="blank-kept-blank"),
        pytest.param(None, 0, True, False, "blank_as_zero", id="blank-read-as-zero"),
        pytest.param(None, 7, True, False, "blank_as_number", id="blank-read-as-number"),
        pytest.param(0, 0, True, True, None, id="zero-right"),
        pytest.param(0, None, True, False, "zero_as_blank", id="zero-read-as-blank"),
        pytest.param(0, 3, True, False, "wrong_number", id="zero-read-as-number"),
        pytest.param(5, 5, True, True, None, id="number-right"),
        pytest.param(5, 6, True, False, "wrong_number", id="number-wrong"),
        pytest.param(5, 0, True, False, "number_as_zero", id="number-read-as-zero"),
        pytest.param(5, None, True, False, "number_as_blank", id="number-read-as-blank"),
        pytest.param(5, None, False, False, "absent", id="table-not-found"),
        pytest.param(16.133, 16.133000000001, True, True, None, id="amount-float-noise"),
        pytest.param(40.35, 4035, True, False, "wrong_number", id="amount-in-yuan-not-wan"),
    ],
)
def test_cell_confusion(gold: Any, pred: Any, present: bool, ok: bool, error: str | None) -> None:
    cell = score_cell(PATH, gold, pred, present)
    assert (cell.ok, cell.error) == (ok, error)


@pytest.mark.parametrize(
    ("gold_known", "pred", "present", "ok"),
    [
        pytest.param(True, None, True, True, id="null-is-right"),
        pytest.param(True, 12, True, True, id="true-value-is-right"),
        pytest.param(True, 21, True, False, id="other-value-is-wrong"),
        pytest.param(True, 0, True, False, id="zero-is-wrong"),
        pytest.param(True, None, False, True, id="absent-counts-as-null"),
        pytest.param(False, None, True, True, id="unknown-truth-null-is-right"),
        pytest.param(False, 12, True, False, id="unknown-truth-any-value-is-a-guess"),
    ],
)
def test_ambiguous_cells(gold_known: bool, pred: Any, present: bool, ok: bool) -> None:
    cell = score_cell(PATH, 12 if gold_known else None, pred, present, ambiguous=True, gold_known=gold_known)
    assert cell.ok is ok and cell.ambiguous


def _gold(**cells: Any) -> dict[str, Any]:
    return {"source": {"name": "x.txt"}, "meta": {"agency": "某局", "year": 2020, "template": "2019"},
            "applications": {"granted": dict(cells)}}


def test_only_stated_cells_are_scored_and_ambiguous_paths_are_added() -> None:
    gold = _gold(natural_person=3, total=None)
    gold["ambiguous"] = ["applications.granted.other_org"]
    record = {"applications": {"template": "2019", "granted": {"natural_person": 3, "other_org": 9, "total": 0}}}
    cells = {c.path: c for c in score_cells(gold, record)}
    assert set(cells) == {"applications.granted.natural_person", "applications.granted.total",
                          "applications.granted.other_org"}
    assert cells["applications.granted.total"].error == "blank_as_zero"
    assert cells["applications.granted.other_org"].error == "ambiguous_guess"


def test_score_report_takes_a_pydantic_record() -> None:
    record = Record.model_validate({"source": {"name": "x.txt", "sha256": "0"},
                                    "meta": {"agency": "某 局", "year": 2020, "template": "2019"},
                                    "applications": {"template": "2019", "granted": {"natural_person": 3}}})
    scored = score_report(_gold(natural_person=3, commercial_enterprise=0), record, kind="tab_rows")
    figures = summarise([scored])
    assert figures["cells"]["ok"] == 1 and figures["cells"]["n"] == 2
    assert figures["cells"]["confusion"]["zero"]["null"] == 1
    assert figures["meta"]["all"]["accuracy"] == 1.0  # agency compared without whitespace
    assert figures["cells"]["by_template"]["2019"]["n"] == 2
    assert figures["cells"]["by_kind_table"]["tab_rows"]["applications"]["ok"] == 1
    assert figures["facts"] is None and figures["findings"] is None  # not in gold: not scored


@pytest.mark.parametrize(
    ("gold_meta", "pred_meta", "oks"),
    [
        pytest.param({"agency": "安康市行政审批服务局"}, {"agency": "安康市 行政审批服务局"}, [True], id="agency-spaces"),
        pytest.param({"year": 2020}, {"year": 2021}, [False], id="year-published-not-reported"),
        pytest.param({"template": "2019"}, {"template": None}, [False], id="template-missing"),
    ],
)
def test_meta(gold_meta: dict[str, Any], pred_meta: dict[str, Any], oks: list[bool]) -> None:
    assert [m["ok"] for m in score_meta(gold_meta, pred_meta).values()] == oks


def _fact(value: float, unit: str, start: int, end: int) -> dict[str, Any]:
    return {"section": "overview", "subject": "s", "value": value, "unit": unit, "quote": "q",
            "start": start, "end": end}


@pytest.mark.parametrize(
    ("pred", "matched"),
    [
        pytest.param([_fact(1204, "条", 735, 745)], 1, id="overlapping-span"),
        pytest.param([_fact(1204, "条", 731, 759)], 1, id="same-span"),
        pytest.param([_fact(1204, "条", 800, 810)], 0, id="disjoint-span"),
        pytest.param([_fact(1204, "件", 731, 759)], 0, id="other-unit"),
        pytest.param([_fact(1240, "条", 731, 759)], 0, id="other-value"),
        pytest.param([_fact(1204, "条", 731, 759), _fact(1204, "条", 740, 750)], 1, id="one-to-one"),
    ],
)
def test_facts_matching(pred: list[dict[str, Any]], matched: int) -> None:
    result = score_facts([_fact(1204, "条", 731, 759)], pred)
    assert result["matched"] == matched
    assert len(result["spurious"]) == len(pred) - matched and len(result["missed"]) == 1 - matched


@pytest.mark.parametrize(
    ("severity", "tp", "fp", "fn"),
    [
        pytest.param("all", ["error narrative.percent"], ["warning applications.balance"],
                     ["error narrative.parts_sum"], id="all"),
        pytest.param("error", ["error narrative.percent"], [], ["error narrative.parts_sum"], id="errors-only"),
    ],
)
def test_findings_precision_recall(severity: str, tp: list[str], fp: list[str], fn: list[str]) -> None:
    findings = [{"rule": "narrative.percent", "severity": "error"},
                {"rule": "applications.balance", "severity": "warning"},
                {"rule": "null_as_zero", "severity": "warning"}]  # not a SPEC rule: never counted
    result = score_findings(["narrative.percent", "narrative.parts_sum"], findings, severity)
    assert (result["tp"], result["fp"], result["fn"]) == (tp, fp, fn)


ROW = ["applications.granted.natural_person", "applications.granted.total"]


@pytest.mark.parametrize(("expected", "findings", "counts"), [
    pytest.param(["applications.balance"], [{"rule": "applications.balance", "severity": "warning"}],
                 {"errors": (0, 0, 1), "warnings": (0, 1, 0)}, id="a-warning-is-not-an-expected-error"),
    pytest.param([{"rule": "applications.balance", "severity": "warning"}],
                 [{"rule": "applications.balance", "severity": "warning"}],
                 {"errors": (0, 0, 0), "warnings": (1, 0, 0)}, id="an-expected-warning"),
    pytest.param(["narrative.parts_sum", "narrative.parts_sum"], [{"rule": "narrative.parts_sum", "severity": "error"}],
                 {"errors": (1, 0, 1), "warnings": (0, 0, 0)}, id="two-instances-one-found"),
    pytest.param(["narrative.parts_sum"], [{"rule": "narrative.parts_sum", "severity": "error"}] * 2,
                 {"errors": (1, 1, 0), "warnings": (0, 0, 0)}, id="one-instance-two-found"),
    pytest.param([{"rule": "applications.row_total", "cells": ROW[:1]}],
                 [{"rule": "applications.row_total", "severity": "error", "cells": ROW}],
                 {"errors": (1, 0, 0), "warnings": (0, 0, 0)}, id="gold-cells-among-the-finding-cells"),
    pytest.param([{"rule": "applications.row_total", "cells": ROW}],
                 [{"rule": "applications.row_total", "severity": "error", "cells": ["applications.denied_state_secret.total"]}],
                 {"errors": (0, 1, 1), "warnings": (0, 0, 0)}, id="same-rule-other-cells"),
    pytest.param([{"rule": "applications.row_total", "cells": ROW}, "applications.row_total"],
                 [{"rule": "applications.row_total", "severity": "error", "cells": ["applications.carried_over.total"]},
                  {"rule": "applications.row_total", "severity": "error", "cells": ROW}],
                 {"errors": (2, 0, 0), "warnings": (0, 0, 0)}, id="cells-matched-before-rule-only"),
])
def test_findings_are_scored_as_instances(expected, findings, counts) -> None:
    result = score_findings(expected, findings)
    assert {part: tuple(result[part][k] for k in ("tp", "fp", "fn")) for part in counts} == counts


def test_findings_figures() -> None:
    report = {"cells": [], "meta": {}, "findings": score_findings(["grounding", "narrative.percent"],
                                                                  [{"rule": "grounding"}, {"rule": "cross_year.carry"}])}
    figures = summarise([report])["findings"]
    assert (figures["precision"], figures["recall"]) == (0.5, 0.5)
    assert figures["errors"]["precision"] == 0.5 and figures["warnings"]["tp"] == 0


def test_problems_match_loosely() -> None:
    result = score_problems(["思想认识不深刻", "政策解读内容少，形式单一"], ["一是思想认识不深刻", "网站改版"])
    assert (result["matched"], result["missed"], result["spurious"]) == (1, ["政策解读内容少，形式单一"], ["网站改版"])


def test_gold_issues_catch_bad_offsets_and_paths() -> None:
    gold = _gold(natural_person=1)
    gold["applications"]["other_misc"] = {"total": 0}  # a 2021 row in a 2019 gold
    gold["facts"] = [_fact(8, "件", 0, 4) | {"quote": "收到8件"}]
    issues = gold_issues(gold, "共收到8件申请")
    assert any("other_misc" in i for i in issues) and any("quote not at" in i for i in issues)


@pytest.mark.parametrize(
    ("model", "base_url", "records", "mode"),
    [
        pytest.param(None, None, [], "none", id="deterministic"),
        pytest.param("m", "http://127.0.0.1:8765/v1", [], "scripted", id="loopback-is-the-scripted-server"),
        pytest.param(None, None, [{"llm": {"model": "scripted-1"}}], "scripted", id="scripted-model-in-records"),
        pytest.param("gpt-x", "https://api.example.com/v1", [], "live", id="live-endpoint"),
    ],
)
def test_llm_label(model: str | None, base_url: str | None, records: list[dict[str, Any]], mode: str) -> None:
    from evals.run import SCRIPTED_NOTE, llm_label

    label = llm_label(model, base_url, records)
    assert label["mode"] == mode
    assert (label["note"] == SCRIPTED_NOTE) is (mode == "scripted")
