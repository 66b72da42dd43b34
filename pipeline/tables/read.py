"""Stage 3: read tables 二, 三 and 四 from their sections into cells with source spans.

Rows are found by their printed labels (whatever the numbering and spacing), values by the
token stream of `pipeline.tables.tokens`; damaged rows are settled by `pipeline.tables.arith`.
"""

from __future__ import annotations

import re

from pipeline.core import Document, Section, TableResult, finding
from pipeline.tables import specs as S
from pipeline.tables.align import (
    align,
    header_columns,
    in_columns,
    place_noted,
    settle_apart,
)
from pipeline.tables.arith import RowCandidates, Slot, row_candidates, settle
from pipeline.tables.cells import merged_columns, missing_row, report_placed, report_settling, store
from pipeline.tables.review import parse_review
from pipeline.tables.rows import RowRead, near_label, read_rows
from pipeline.tables.tokens import Token, tokenize


def parse_tables(doc: Document, sections: list[Section]) -> dict[str, TableResult]:
    """Tables 二, 三, 四 of `doc`, keyed active_disclosure / applications / review_litigation."""
    spans = {s.key: (s.start, s.end) for s in sections}
    ad_tokens = _region(doc, spans, "active_disclosure", "applications")
    app_tokens = _region(doc, spans, "applications", "review_litigation")
    rl_tokens = _region(doc, spans, "review_litigation", "problems")
    ad = parse_active_disclosure(ad_tokens, view=doc.view)
    if not ad.found and "active_disclosure" in spans:  # some reports print table 二 in the overview
        wider = tokenize(doc, 0, spans.get("applications", (len(doc.view),))[0])
        found = parse_active_disclosure(wider, view=doc.view)
        ad, ad_tokens = (found, wider) if found.found else (ad, ad_tokens)
    app = parse_applications(app_tokens, fallback_template=ad.template, view=doc.view)
    if ad.template is None and app.template is not None and ad.found:
        ad = parse_active_disclosure(ad_tokens, template=app.template, view=doc.view)
    return {"active_disclosure": ad, "applications": app, "review_litigation": parse_review(rl_tokens)}


def _region(doc: Document, spans: dict[str, tuple[int, int]], key: str, next_key: str) -> list[Token]:
    if key in spans:
        return tokenize(doc, *spans[key])
    start = 0
    end = spans[next_key][0] if next_key in spans else len(doc.view)
    return tokenize(doc, start, end)


# ---- table 二 ---------------------------------------------------------------------------------------

def detect_ad_template(tokens: list[Token]) -> str | None:
    votes = {t: sum(1 for tok in tokens if tok.kind == "text" and p.search(tok.text)) for t, p in S.AD_HEADERS.items()}
    if any(tok.kind == "text" and re.search(r"其他对外管理服务事项|政府集中采购", tok.text) for tok in tokens):
        votes["2019"] += 2
    if not any(votes.values()) or votes["2019"] == votes["2021"]:
        return None
    return max(votes, key=lambda t: votes[t])


def parse_active_disclosure(tokens: list[Token], template: str | None = None, view: str = "") -> TableResult:
    template = template or detect_ad_template(tokens)
    result = TableResult("active_disclosure", template)
    fields = S.AD_FIELDS[template or "2019"]

    def match(label: str, seen: list[str]) -> str | None:
        if not S.ANY_AD_ROW.search(label):
            return None
        return next((k for k, p in S.AD_LABELS.items() if k in fields and k not in seen and p.search(label)), None)

    def near(label: str, seen: list[str]) -> str | None:
        return near_label(label, S.AD_CANON, [k for k in fields if k not in seen])

    rows = read_rows(tokens, match, lambda k: len(fields.get(k, ("",) * 3)), near)
    if not any(r.key and r.cells for r in rows):
        result.found = False
        result.findings.append(finding("tables.missing", "warning", "active_disclosure: table 二 not found"))
        return result
    if template is None:
        result.findings.append(finding("template.consistent", "warning",
                                          "active_disclosure: template not detected from the headers; read as 2019"))
    rows, apart = settle_apart(rows, view, [], lambda k: len(fields.get(k, ())))  # no equations: a tie unless equal
    for key in place_noted(rows, tokens, lambda k: fields.get(k, ())):
        result.findings.append(finding("tables.aligned", "warning",
                                       f"active_disclosure.{key}: a value printed outside the table with a note "
                                       "naming its column, placed in the one cell its row lacks",
                                       [f"active_disclosure.{key}"]))
    rows = [r for r in rows if r.cells]
    report_placed(result, "active_disclosure", [], apart)
    by_key = {r.key: r for r in rows}
    columns = header_columns(tokens, S.AD_FIELD_HEADER)
    for key, names in fields.items():
        _read_ad_row(result, key, names, by_key.get(key), columns)
    return result


def _read_ad_row(result: TableResult, key: str, names: tuple[str, ...], row: RowRead | None,
                 columns: set[int]) -> None:
    paths = [f"active_disclosure.{key}.{n}" for n in names]
    if row is None:
        missing_row(result, f"active_disclosure.{key}", paths)
        return
    cells = in_columns(row.cells, columns, len(names))
    cand = _signs_in_change(row_candidates(key, cells, len(names)), cells, names)
    settled = settle([cand], [])  # table 二 has no arithmetic: only a reading the source alone settles
    merged = merged_columns(cells)
    for i, (name, path) in enumerate(zip(names, paths, strict=True)):
        slot = settled.values[key][i] if i not in merged else Slot(None)
        store(result, path, slot, amount=name == "amount_wan")
    report_settling(result, "active_disclosure", [cand], settled, names)


def _signs_in_change(cand: RowCandidates, cells: list[Token], names: tuple[str, ...]) -> RowCandidates:
    """A number printed with its sign (`+40`, `-3`) is the 本年增/减 cell: readings that put it in
    another column are not readings of this row."""
    signed = {t.start for t in cells if t.kind == "num" and t.text[:1] in "+-"}
    if cand.exact or not signed or "change" not in names:
        return cand
    at = names.index("change")
    cand.readings = [rd for rd in cand.readings if all(i == at for i, s in enumerate(rd) if s.start in signed)]
    return cand  # no reading left: the row stays unread


# ---- table 三 ---------------------------------------------------------------------------------------

def _match_app(label: str, seen: list[str]) -> str | None:
    """The row a label names; with merged labels (`(六)其他处理 1.申请人…逾期不补正`) the last one wins."""
    if not S.ANY_APP_ROW.search(label):
        return None
    last = max((S.APP_ORDER.index(k) for k in seen if k[0] != "@"), default=-1)
    best: tuple[int, str] | None = None
    for key in S.APP_ORDER[last + 1:]:
        m = S.APP_PATTERNS[key].search(label)
        if m is None:
            continue
        if key == "total_processed" and not seen:
            continue
        if key == "other_misc" and not {"other_no_correction", "other_unpaid_fee",
                                        "@other_no_correction", "@other_unpaid_fee"} & set(seen):
            continue
        if best is None or m.start() > best[0]:
            best = (m.start(), key)
    return best[1] if best else None


def _near_app(label: str, seen: list[str]) -> str | None:
    last = max((S.APP_ORDER.index(k) for k in seen if k[0] != "@"), default=-1)
    return near_label(label, S.APP_CANON, S.APP_ORDER[last + 1:])


def parse_applications(tokens: list[Token], fallback_template: str | None = None, view: str = "") -> TableResult:
    rows = read_rows(tokens, _match_app, lambda k: 7, _near_app)
    if any(r.key in S.ONLY_2021 for r in rows):  # 2021: （六）其他处理 is the heading of rows 1-3, even with empty cells
        rows = [o for r in rows for o in (_heading_runs(r) if r.key == "other_handling" else [r])]
    keys = {r.key for r in rows if r.key is not None and r.cells}
    template = "2021" if keys & S.ONLY_2021 else "2019" if "other_handling" in keys else fallback_template
    result = TableResult("applications", template)
    if not keys:
        result.found = False
        result.findings.append(finding("tables.missing", "warning", "applications: table 三 not found"))
        return result
    template = template or "2019"
    result.template = template
    rows, apart = settle_apart(rows, view, S.application_equations(template), lambda k: 7)
    rows, placed = align(rows, S.APP_ROWS_BY_TEMPLATE[template], lambda k: 7, S.APP_CANON)  # drops bare labels
    report_placed(result, "applications", placed, apart)
    wrong = keys - set(S.APP_ROWS_BY_TEMPLATE[template])
    if wrong:
        result.findings.append(finding("template.consistent", "error",
                                          f"applications: rows {sorted(wrong)} do not belong to template {template}"))
    columns = header_columns(tokens, S.APP_COLUMN_HEADER)
    cands = [row_candidates(r.key, in_columns(r.cells, columns, 7), 7) for r in rows
             if r.key in S.APP_ROWS_BY_TEMPLATE[template]]
    settled = settle(cands, S.application_equations(template))
    merged = {r.key: merged_columns(r.cells) for r in rows}
    for key in S.APP_ROWS_BY_TEMPLATE[template]:
        paths = [f"applications.{key}.{c}" for c in S.COLUMNS]
        slots = settled.values.get(key)
        if slots is None:
            missing_row(result, f"applications.{key}", paths)
            continue
        for i, path in enumerate(paths):
            store(result, path, Slot(None) if i in merged.get(key, set()) else slots[i])
    report_settling(result, "applications", cands, settled, S.COLUMNS)
    return result


def _heading_runs(row: RowRead) -> list[RowRead]:
    """The 2021 （六）其他处理 heading: rows of values printed under it are its sub-rows' runs, for the aligner."""
    values = [t for t in row.cells if t.kind in ("num", "blank")]
    if not any(t.kind == "num" for t in values) or len(values) % 7:
        return []
    return [RowRead(None, values[k], values[k:k + 7]) for k in range(0, len(values), 7)]
