"""Tables 二/三/四 laid out like the national forms: header rows, label cells, value cells.

The labels are the forms' own wording, shared with the evaluation (`evals.spec`). Each value cell
carries its record path, so a page can colour it by what it is and by the findings that name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from evals.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    DISCLOSURE_BLOCKS,
    HEAD_ROWS,
    OUTCOME_FIELDS,
    OUTCOME_GROUPS,
    OUTCOME_LABELS,
    OUTCOMES_HEADING,
    REVIEW_GROUPS,
    TAIL_ROWS,
)

TABLE_TITLES = {"active_disclosure": "二、主动公开政府信息情况",
                "applications": "三、收到和处理政府信息公开申请情况",
                "review_litigation": "四、政府信息公开行政复议、行政诉讼情况"}
REVIEW_GROUP_LABELS = {"review": "行政复议", "litigation_direct": "未经复议直接起诉",
                       "litigation_after_review": "复议后起诉"}


@dataclass
class Label:
    text: str
    rowspan: int = 1
    colspan: int = 1
    head: bool = False


@dataclass
class FormRow:
    """One printed row: label cells, then value cells (record paths; None = a padding cell)."""

    labels: list[Label] = field(default_factory=list)
    paths: list[str | None] = field(default_factory=list)
    head: bool = False


@dataclass
class Form:
    table: str
    title: str
    rows: list[FormRow]


def _disclosure(template: str) -> list[FormRow]:
    rows: list[FormRow] = []
    for heading, columns, members, fields in DISCLOSURE_BLOCKS[template]:
        pad = 3 - len(columns)
        head = [Label(heading, head=True), *(Label(c, head=True) for c in columns)]
        if pad:
            head[-1].colspan += pad
        rows.append(FormRow(head, [], head=True))
        for key, label in members:
            paths: list[str | None] = [f"active_disclosure.{key}.{f}" for f in fields]
            rows.append(FormRow([Label(label)], paths + [None] * pad))
    return rows


def _applications(template: str) -> list[FormRow]:
    outcome_rows = sum(len(members) for _, members in OUTCOME_GROUPS[template])
    rows = [FormRow([Label("", colspan=3, head=True), *(Label(c, head=True) for c in APPLICANT_LABELS)], head=True)]

    def paths(key: str) -> list[str | None]:
        return [f"applications.{key}.{c}" for c in APPLICANT_COLUMNS]

    for key, label in HEAD_ROWS:
        rows.append(FormRow([Label(label, colspan=3)], paths(key)))
    first = True
    for group, members in OUTCOME_GROUPS[template]:
        for i, (key, label) in enumerate(members):
            labels = [Label(OUTCOMES_HEADING, rowspan=outcome_rows)] if first else []
            first = False
            if group is None:
                labels.append(Label(label, colspan=2))
            else:
                labels += [Label(group, rowspan=len(members))] if i == 0 else []
                labels.append(Label(label))
            rows.append(FormRow(labels, paths(key)))
    for key, label in TAIL_ROWS:
        rows.append(FormRow([Label(label, colspan=3)], paths(key)))
    return rows


def _review() -> list[FormRow]:
    top = FormRow([Label("行政复议", colspan=5, head=True), Label("行政诉讼", colspan=10, head=True)], head=True)
    groups = FormRow([Label("", colspan=5, head=True),
                      *(Label(REVIEW_GROUP_LABELS[g], colspan=5, head=True) for g in REVIEW_GROUPS[1:])], head=True)
    fields = FormRow([Label(x, head=True) for _ in REVIEW_GROUPS for x in OUTCOME_LABELS], head=True)
    values = FormRow([], [f"review_litigation.{g}.{f}" for g in REVIEW_GROUPS for f in OUTCOME_FIELDS])
    return [top, groups, fields, values]


@cache
def forms(template: str | None) -> list[Form]:
    """The three tables of `template` (the 2019 form when the template is unknown)."""
    t = template if template in DISCLOSURE_BLOCKS else "2019"
    return [Form("active_disclosure", TABLE_TITLES["active_disclosure"], _disclosure(t)),
            Form("applications", TABLE_TITLES["applications"], _applications(t)),
            Form("review_litigation", TABLE_TITLES["review_litigation"], _review())]


def flat_cells(record: dict[str, Any]) -> dict[str, Any]:
    """`{"applications.granted.total": 3, ...}` for every cell of the record's tables."""
    out: dict[str, Any] = {}
    for table in TABLE_TITLES:
        for row, cells in (record.get(table) or {}).items():
            if isinstance(cells, dict):
                for col, value in cells.items():
                    out[f"{table}.{row}.{col}"] = value
    return out


@cache
def cell_paths(template: str | None) -> list[str]:
    """Every value cell of the forms of `template`, in printed order."""
    return [p for form in forms(template) for row in form.rows for p in row.paths if p is not None]


@cache
def cell_labels(template: str | None) -> dict[str, str]:
    """`{path: "row label · column label"}` for every value cell of the forms of `template`."""
    out: dict[str, str] = {}
    for form in forms(template):
        columns: list[str] = []
        for row in form.rows:
            if row.head:
                columns = [lab.text for lab in row.labels[1:]] if form.table == "active_disclosure" else columns
                continue
            names = _column_names(form.table, columns)
            for path, column in zip(row.paths, names, strict=False):
                if path is not None:
                    out[path] = f"{row.labels[-1].text if row.labels else ''} · {column}".strip(" ·")
    return out


def _column_names(table: str, block_columns: list[str]) -> list[str]:
    if table == "applications":
        return list(APPLICANT_LABELS)
    if table == "review_litigation":
        return [f"{REVIEW_GROUP_LABELS[g]} {x}" for g in REVIEW_GROUPS for x in OUTCOME_LABELS]
    return block_columns
