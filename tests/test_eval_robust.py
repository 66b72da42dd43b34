"""The robustness generator: consistent gold by construction, honest ambiguity, a small real run."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from evals.ambiguity import unsettled
from evals.cells import flatten_tables, valid_paths
from evals.layouts import paragraphs_dropped, paragraphs_kept
from evals.render import Cell, Style, format_value
from evals.robust import KINDS, build_cases, run_robust
from evals.spec import APPLICANT_COLUMNS
from evals.synth import arithmetic_errors, make_gold
from schemas import Record

DESTROYING = {"cells_blank_dropped", "run_together", "crawler_oneline", "pdf_markdown"}  # kinds whose gold may be ambiguous


@pytest.fixture(scope="module")
def cases():
    return build_cases(60, seed=7)


def test_generated_gold_is_arithmetically_consistent_and_complete(cases) -> None:
    assert {c.kind for c in cases} == set(KINDS)
    for case in cases:
        assert arithmetic_errors(case.gold) == [], case.name
        template = case.gold["meta"]["template"]
        assert set(flatten_tables(case.gold)) == valid_paths(template), case.name
        assert set(case.gold["ambiguous"]) <= valid_paths(template)
        record = {k: v for k, v in case.gold.items() if k != "ambiguous"}
        record["applications"] = {"template": template, **record["applications"]}  # gold rows carry no tag
        Record.model_validate({**record, "source": {"name": case.name, "sha256": "0"}})


def test_only_destroying_kinds_have_ambiguous_cells(cases) -> None:
    kinds = Counter(c.kind for c in cases if c.ambiguous)
    assert set(kinds) <= DESTROYING


def test_arithmetic_check_catches_a_broken_record() -> None:
    gold = make_gold(random.Random(1), "x.txt", "2021")
    gold["applications"]["granted"]["natural_person"] = (gold["applications"]["granted"]["natural_person"] or 0) + 1
    assert {e.split()[0] for e in arithmetic_errors(gold)} >= {"applications.row_total", "applications.outcome_sum"}


@pytest.mark.parametrize(
    ("pieces", "fields", "lost"),
    [
        pytest.param(["71", "3", "0", "0", "0", "0", "74"], APPLICANT_COLUMNS, set(), id="issue-example-settled"),
        pytest.param(["1", "0", "67"], ["new_made", "new_published", "total_published"], {0, 1, 2},
                     id="no-arithmetic-unsettled"),
        pytest.param(["0", "0", "0"], ["new_made", "new_published", "total_published"], set(), id="all-zero-settled"),
        pytest.param(["301", "-41"], ["previous_count", "change"], set(), id="sign-separates"),
        pytest.param(["30", "2", "0", "0", "0", "0", "32"], APPLICANT_COLUMNS, set(), id="row-total-settles"),
        pytest.param(["12", "1", "0", "0", "0", "0", "13"], APPLICANT_COLUMNS, {0, 1, 2},
                     id="row-total-not-enough"),  # 12+1 = 1+2+10 = 13: the last four cells are settled
    ],
)
def test_run_together_ambiguity(pieces: list[str], fields: list[str], lost: set[int]) -> None:
    assert unsettled(pieces, list(fields)) == lost


def test_dropped_blanks_are_ambiguous_kept_blanks_are_not() -> None:
    row = [Cell("1.属于国家秘密", "label")] + [
        Cell("" if v is None else str(v), "value", f"applications.denied_state_secret.{c}", v, c)
        for c, v in zip(APPLICANT_COLUMNS, [2, None, None, None, None, None, 2], strict=True)]
    text, lost = paragraphs_kept([row], random.Random(0))
    assert text == "1.属于国家秘密\n\n2\n\n" + "\n" * 5 + "2\n\n" and not lost  # a blank cell: one empty line
    text, lost = paragraphs_dropped([row], random.Random(0))
    assert "\n\n2\n\n2" in text and len(lost) == 7


@pytest.mark.parametrize(
    ("field", "value", "style", "text"),
    [
        pytest.param("amount_wan", 16.133, Style(yuan=True), "161330元", id="yuan"),
        pytest.param("amount_wan", 40.35, Style(), "40.35万元", id="wan"),
        pytest.param("decisions", 67556, Style(thousands=True), "67,556", id="thousands"),
        pytest.param("change", -13, Style(fullwidth=True), "-１３", id="fullwidth-signed"),
        pytest.param("total", None, Style(blank="—"), "—", id="dash-blank"),
    ],
)
def test_cell_texts(field: str, value: object, style: Style, text: str) -> None:
    assert format_value(field, value, style) == text


def test_small_robust_run_scores_every_kind() -> None:
    run = run_robust(30, seed=3)
    by_kind = run["overall"]["cells"]["by_kind"]
    assert set(by_kind) == set(KINDS)
    assert all(part["n"] > 0 for part in by_kind.values())
    assert run["overall"]["meta"]["all"]["n"] == 90
