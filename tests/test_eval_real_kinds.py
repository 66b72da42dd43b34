"""The generator kinds that imitate real published reports: each has the shape of the real example
it imitates (statistics measured on both), keeps the information its gold claims, and marks
ambiguous exactly what the damage destroys."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from statistics import mean

import pytest

from evals import crawler
from evals import shape as S
from evals.ambiguity import unsettled
from evals.pdf_markdown import REPEAL_NOTES, markdown_report
from evals.pdf_page import spaced, wrap
from evals.render import Cell
from evals.robust import REPORTS, Case, build_cases
from evals.spec import (
    APPLICANT_COLUMNS,
    DISCLOSURE_BLOCKS,
    OUTCOME_FIELDS,
    REVIEW_GROUPS,
    application_rows,
)
from evals.synth import make_gold
from tests.conftest import ROOT

REAL = ROOT / "evals" / "real"
PINGTAN = (REAL / "pingtan_2021.txt").read_text(encoding="utf-8")
SH_BGT = (REAL / "sh_bgt_2025.md").read_text(encoding="utf-8")


def _region(stat: Callable[[str], float]) -> Callable[[str], float]:
    return lambda text: stat(S.table_region(text))


# (statistic, value on the real example, band the generated kind's mean must fall in)
Stat = tuple[Callable[[str], float], float, tuple[float, float]]
CRAWLER: dict[str, Stat] = {
    "lines": (S.lines, 10, (1, 15)),
    "longest-line-share": (S.longest_line_share, 0.919, (0.8, 1.0)),
    "numbers-glued-to-text": (_region(S.glued_number_share), 0.946, (0.85, 1.0)),
    "runs-of-6-digits-or-more": (_region(S.long_run_share), 0.757, (0.55, 0.9)),
    "glued-column-headings": (S.glued_heading_share, 0.909, (0.8, 1.0)),
    "stray-spaces-per-100-chars": (_region(S.spaces_per_100), 0.950, (0.3, 1.6)),
    "mid-line-section-headings": (S.mid_line_headings, 6, (5, 6)),
    "chrome-words": (S.chrome_words, 6, (4, 6)),
}
MARKDOWN: dict[str, Stat] = {
    "lines": (S.lines, 200, (100, 300)),
    "numbers-only-pipe-rows": (S.numbers_only_rows, 3, (1, 6)),
    "pipe-rows-with-group-label": (S.group_label_rows, 5, (2, 9)),
    "pipe-rows-with-empty-last-cell": (S.wide_rows, 8, (4, 12)),
    "page-footers-inside-tables": (S.footers_in_tables, 2, (1, 5)),
    "repeated-table-headings": (S.table_headings, 4, (2, 6)),
    "prose-line-length": (S.prose_line_length, 28, (22, 34)),
    "glued-column-headings": (S.glued_heading_share, 0.5, (0.25, 0.75)),
}
# No CMS page is among the real examples; the nearest is the Word grid of hzq_2023.pdf, whose merged
# cells were counted by hand on its rendered pages (pdftoppm): table 二 11 (four bands, three
# single-value headings, four single-value cells), table 三 16, table 四 9.
HZQ_SPANNING_CELLS = 36
HZQ_SPREAD_ROWS = 4 / 6  # table 二: rows whose single value covers the three value columns


@pytest.fixture(scope="module")
def generated() -> dict[str, list[Case]]:
    cases = build_cases(18 * 12, seed=5)
    return {kind: [c for c in cases if c.kind == kind] for kind in REPORTS}


SHAPES = [("crawler_oneline", "pingtan_2021", PINGTAN, CRAWLER), ("pdf_markdown", "sh_bgt_2025", SH_BGT, MARKDOWN)]


@pytest.mark.parametrize(("kind", "real", "stat"), [
    pytest.param(kind, text, stat, id=f"{kind}-vs-{name}-{stat}")
    for kind, name, text, stats in SHAPES for stat in stats])
def test_generated_kind_has_the_shape_of_its_real_example(generated, kind, real, stat) -> None:
    stats = dict(CRAWLER if kind == "crawler_oneline" else MARKDOWN)
    measure, real_value, (low, high) = stats[stat]
    assert measure(real) == pytest.approx(real_value, abs=0.001)
    assert low <= real_value <= high
    value = mean(measure(c.text) for c in generated[kind])
    assert low <= value <= high, f"{kind} {stat}: generated {value:.3f}, real {real_value}, band {low}–{high}"


def test_old_layouts_do_not_have_the_real_shapes(generated) -> None:
    """The statistics tell the kinds apart: a clean tab-rows report fails the crawler's bands."""
    tab = [c for c in build_cases(18 * 2, seed=5) if c.kind == "tab_rows"]
    assert mean(S.longest_line_share(c.text) for c in tab) < CRAWLER["longest-line-share"][2][0]
    assert mean(S.numbers_only_rows(c.text) + S.footers_in_tables(c.text) for c in tab) == 0


def test_cms_kind_has_the_merged_grid_of_the_real_word_table(generated) -> None:
    cases = generated["cms_html_colspan"]
    assert 0.7 * HZQ_SPANNING_CELLS <= mean(S.spanning_cells(c.text) for c in cases) <= 1.3 * HZQ_SPANNING_CELLS
    shares = [s / n for c in cases if c.gold["meta"]["template"] == "2021" for s, n in [S.spread_value_rows(c.text)]]
    assert HZQ_SPREAD_ROWS - 0.05 <= mean(shares) <= 1.0
    assert all(S.unit_in_amount_cells(c.text) >= 1 for c in cases)  # `251000元` in the cell
    assert all(S.chrome_words(c.text) >= 4 for c in cases)


def test_ambiguity_rule_reproduces_the_hand_made_gold_of_pingtan() -> None:
    """The row's own arithmetic, with pingtan's one stray space (`500000 5`), leaves unsettled
    exactly the cells the person reading the source marked ambiguous."""
    gold = json.loads((REAL / "pingtan_2021.json").read_text(encoding="utf-8"))
    found: set[str] = set()
    for row, cells in gold["applications"].items():
        shown = frozenset({5}) if row == "partially_granted" else frozenset()
        lost = unsettled([str(cells[c]) for c in APPLICANT_COLUMNS], APPLICANT_COLUMNS, shown)
        found |= {f"applications.{row}.{APPLICANT_COLUMNS[i]}" for i in lost}
    for _, _, members, fields in DISCLOSURE_BLOCKS["2021"]:
        for key, _ in members:
            lost = unsettled([str(gold["active_disclosure"][key][f]) for f in fields], fields)
            found |= {f"active_disclosure.{key}.{fields[i]}" for i in lost}
    review = gold["review_litigation"]
    fields = [f for _ in REVIEW_GROUPS for f in OUTCOME_FIELDS]
    lost = unsettled([str(review[g][f]) for g in REVIEW_GROUPS for f in OUTCOME_FIELDS], fields)
    found |= {f"review_litigation.{REVIEW_GROUPS[i // 5]}.{fields[i]}" for i in lost}
    assert found == set(gold["ambiguous"])


@pytest.mark.parametrize(("space", "lost"), [
    pytest.param(0.0, {"a.x.issued", "a.x.repealed", "a.x.in_force"}, id="run-together-693665-unsettled"),
    pytest.param(1.0, set(), id="spaces-at-every-boundary-settle-it"),
])
def test_crawler_row_ambiguity_follows_the_spaces_it_prints(monkeypatch, space, lost) -> None:
    monkeypatch.setattr(crawler, "STRAY_SPACE", space)
    row = [Cell("行政规范性文件", "label")] + [Cell(str(v), "value", f"a.x.{f}", v, f)
                                           for f, v in (("issued", 69), ("repealed", 3), ("in_force", 665))]
    text, ambiguous = crawler.flatten_row(row, random.Random(0))
    assert text.replace(" ", "") == "行政规范性文件693665"
    assert ambiguous == lost


def test_crawler_text_is_the_whole_report_on_one_line(generated) -> None:
    for case in generated["crawler_oneline"]:
        body = case.text.splitlines()[-1]
        assert all(h in body for h in ("一、总体情况", "三、收到和处理政府信息公开申请情况")), case.name


def _pipe_numbers(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        numbers = [c for c in cells if re.fullmatch(r"\d+", c)]
        if len(numbers) == 7:
            rows.append(numbers)
    return rows


def test_markdown_prints_every_applications_row_once_in_form_order(generated) -> None:
    """What makes its gold exact: table 三's values are all there, in the form's order."""
    for case in generated["pdf_markdown"]:
        apps = case.gold["applications"]
        expected = [[str(apps[r][c]) for c in APPLICANT_COLUMNS] for r in application_rows(case.gold["meta"]["template"])]
        assert _pipe_numbers(case.text) == expected, case.name
        assert {p.rsplit(".", 1)[0] for p in case.gold["ambiguous"]} <= {
            "active_disclosure.regulations", "active_disclosure.normative_documents"}, case.name


@pytest.mark.parametrize(("note", "ambiguous"), [
    pytest.param(True, False, id="a-note-naming-废止-settles-the-loose-numbers"),
    pytest.param(False, True, id="loose-numbers-without-a-note-unsettle-the-block"),
])
def test_markdown_loose_table_two_numbers(note, ambiguous) -> None:
    rng = random.Random(2)
    reports = [markdown_report(make_gold(rng, "x.md", "2021"), "某区2021年政府信息公开工作年度报告", rng) for _ in range(60)]
    moved = [(text, lost) for text, lost in reports if "| 规章 |" in text
             and len(text.split("| 规章 |")[1].split("\n")[0].split("|")) == 3]  # `| 规章 | 1 | 64 |`
    cases = [(text, lost) for text, lost in moved if any(n in text for n in REPEAL_NOTES) == note]
    assert cases
    assert all(len(lost) == (6 if ambiguous else 0) for _, lost in cases)


def _grid(table: str) -> list[list[str]]:
    """A table's cells expanded over their rowspan/colspan (each spanned slot holds the text)."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, row in enumerate(S.ROW.findall(table)):
        out: list[str] = []
        for attrs, text in S.CELL.findall(row):
            while (r, len(out)) in pending:
                out.append(pending.pop((r, len(out))))
            cs = int(m.group(1)) if (m := re.search(r'colspan="(\d+)"', attrs)) else 1
            rs = int(m.group(1)) if (m := re.search(r'rowspan="(\d+)"', attrs)) else 1
            for dc in range(cs):
                for dr in range(1, rs):
                    pending[(r + dr, len(out) + dc)] = text
            out += [text] * cs
        while (r, len(out)) in pending:
            out.append(pending.pop((r, len(out))))
        grid.append(out)
    return grid


def test_cms_grid_keeps_every_value_under_its_column(generated) -> None:
    """Table 三's grid is ten columns wide in every row, the values in the last seven."""
    for case in generated["cms_html_colspan"]:
        table = S.TABLE.findall(case.text)[1]
        grid = _grid(table)
        assert {len(row) for row in grid} == {10}, case.name
        apps = case.gold["applications"]
        for row, key in zip(grid[3:], application_rows(case.gold["meta"]["template"]), strict=True):
            assert row[3:] == ["" if apps[key][c] is None else str(apps[key][c]) for c in APPLICANT_COLUMNS]


@pytest.mark.parametrize(("text", "width", "lines"), [
    pytest.param("至 2023 年 12 月", 7, ["至 2023", "年 12 月"], id="a-number-is-not-cut"),
    pytest.param("申请1295件", 4, ["申请", "1295", "件"], id="the-whole-number-goes-to-the-next-line"),
    pytest.param("工作年度报告", 4, ["工作年度", "报告"], id="text-cut-at-the-width"),
])
def test_pdf_wrap(text: str, width: int, lines: list[str]) -> None:
    assert wrap(text, width) == lines


def test_pdf_spacing_of_numbers() -> None:
    assert spaced("共受理申请1295件（含上年结转189件），占17.46%") == "共受理申请 1295 件（含上年结转 189 件），占 17.46%"
