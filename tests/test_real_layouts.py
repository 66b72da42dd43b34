"""Whole reports in layouts real 年报 are published in but `samples/` does not show.

Each input in `tests/data/real_layouts/` has a `<stem>.expected.json` written by hand from the
input (not from extractor output): meta, the six section headings, every cell of tables 二/三/四
(`null` only where the input leaves the cell blank, e.g. `&nbsp;`, `-`, `/`, `——`), and the
findings the report must trigger (none: every table is arithmetic-consistent).

Known extractor failures are recorded per case as strict xfails (see XFAIL), so a fix shows up
as an XPASS that must be acknowledged by removing the entry.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from pipeline.extract import extract

DATA = Path(__file__).resolve().parent / "data" / "real_layouts"
INPUTS = sorted(p for p in DATA.iterdir() if p.is_file() and not p.name.endswith((".expected.json", "README.md")))
TABLES = ("active_disclosure", "applications", "review_litigation")
COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")

XFAIL: dict[str, dict[str, str]] = {}  # add new failures here; remove an entry when it XPASSes


def _cases(kind: str) -> list:
    out = []
    for path in INPUTS:
        reason = XFAIL.get(path.name, {}).get(kind)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(path, id=path.name, marks=marks))
    return out


def _expected(path: Path) -> dict:
    stem = path.name.rsplit(".", 1)[0]
    return json.loads((DATA / f"{stem}.expected.json").read_text(encoding="utf-8"))


@cache
def _record(path: Path) -> dict:
    return extract(path).model_dump(mode="json")


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _same(want, got) -> bool:
    """Exact cell equality: None only matches None (a blank is never 0), numbers compare by value."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(got, bool) or not isinstance(got, int | float):
        return False
    return abs(want - got) < 1e-9


# ---- the fixtures themselves ---------------------------------------------------------------------

def test_every_input_has_an_expected_file():
    assert len(INPUTS) >= 6
    for path in INPUTS:
        stem = path.name.rsplit(".", 1)[0]
        assert (DATA / f"{stem}.expected.json").is_file(), path.name
    stems = {p.name.rsplit(".", 1)[0] for p in INPUTS}
    for exp in DATA.glob("*.expected.json"):
        assert exp.name[: -len(".expected.json")] in stems, f"{exp.name} has no input"


@pytest.mark.parametrize("path", INPUTS, ids=[p.name for p in INPUTS])
def test_expected_values_are_consistent(path: Path):
    """The hand-written expectations obey every SPEC arithmetic rule (null read as 0)."""
    exp = _expected(path)
    z = lambda v: v or 0  # noqa: E731
    app = exp["applications"] or {"template": exp["meta"]["template"]}  # a report may print no table 三
    template = app["template"]
    assert template == exp["meta"]["template"] == exp["active_disclosure"]["template"]
    if len(app) > 1:  # table 三 printed
        other = ["other_handling"] if template == "2019" else ["other_no_correction", "other_unpaid_fee", "other_misc"]
        outcomes = [k for k in app if k not in ("template", "new_received", "carried_over", "total_processed",
                                                 "carried_forward")]
        assert outcomes[-len(other):] == other and len(outcomes) == 18 + len(other)
        for key, row in ((k, v) for k, v in app.items() if k != "template"):
            assert list(row) == list(COLS), key
            assert sum(z(row[c]) for c in COLS[:6]) == z(row["total"]), f"row_total {key}"
        for c in COLS:
            assert z(app["new_received"][c]) + z(app["carried_over"][c]) == \
                z(app["total_processed"][c]) + z(app["carried_forward"][c]), f"balance {c}"
            assert sum(z(app[k][c]) for k in outcomes) == z(app["total_processed"][c]), f"outcome_sum {c}"
    for group, g in (exp["review_litigation"] or {}).items():
        assert z(g["total"]) == z(g["upheld"]) + z(g["corrected"]) + z(g["other"]) + z(g["pending"]), group
    for key, row in exp["active_disclosure"].items():
        if key != "template":
            assert all(v is None or v >= 0 for f, v in row.items() if f != "change"), key


# ---- the extractor against them --------------------------------------------------------------------

@pytest.mark.parametrize("path", _cases("cells"))
def test_meta_and_every_cell(path: Path):
    exp = _expected(path)
    rec = _record(path)
    wrong = [f"meta.{k}: expected {v!r}, got {rec['meta'].get(k)!r}"
             for k, v in exp["meta"].items() if rec["meta"].get(k) != v]
    for table in TABLES:
        got_table = rec.get(table)
        if exp[table] is None:
            if got_table is not None:
                wrong.append(f"{table}: expected null (table absent), got {got_table!r}")
            continue
        if got_table is None:
            wrong.append(f"{table}: table missing (null)")
            continue
        if "template" in exp[table] and got_table.get("template") != exp[table]["template"]:
            wrong.append(f"{table}.template: expected {exp[table]['template']!r}, got {got_table.get('template')!r}")
        for row, cells in exp[table].items():
            if row == "template":
                continue
            got_row = got_table.get(row) or {}
            for name, want in cells.items():
                got = got_row.get(name, "<absent>")
                if not _same(want, got):
                    wrong.append(f"{table}.{row}.{name}: expected {want!r}, got {got!r}")
    assert not wrong, f"{len(wrong)} wrong in {path.name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", _cases("sections"))
def test_six_sections(path: Path):
    """The six SPEC sections, in order, each found at its real heading (markup such as '## ' aside)."""
    exp = _expected(path)["sections"]
    got = _record(path)["sections"]
    assert [s["key"] for s in got] == [s["key"] for s in exp]
    for want, have in zip(exp, got, strict=True):
        assert _norm(have["title"]).endswith(_norm(want["title"])), (want, have["title"])


@pytest.mark.parametrize("path", _cases("findings"))
def test_no_error_findings_on_a_consistent_report(path: Path):
    """Every table is arithmetic-consistent and every cell is in the source: no error may be reported
    beyond the rules the expected file lists (blank cells read as 0 are warnings, which is fine)."""
    allowed = set(_expected(path)["expected_findings"])
    errors = [f"{f['rule']}: {f['message'][:200]}" for f in _record(path)["findings"]
              if f["severity"] == "error" and f["rule"] not in allowed]
    assert not errors, "\n".join(errors)
