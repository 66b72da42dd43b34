"""A clean HTML page of a gold record: the national form's tables with its rowspan/colspan."""

from __future__ import annotations

from html import escape
from typing import Any

from evals.render import Style, format_value
from evals.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    BALANCE_NOTE,
    DISCLOSURE_BLOCKS,
    HEAD_ROWS,
    OUTCOME_FIELDS,
    OUTCOME_GROUPS,
    OUTCOME_LABELS,
    OUTCOMES_HEADING,
    REVIEW_GROUPS,
    SECTION_HEADINGS,
    TAIL_ROWS,
)


def td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{attrs}>{escape(text)}</td>"


def _table(rows: list[str]) -> str:
    return '<table border="1" cellspacing="0">\n' + "\n".join(f"<tr>{r}</tr>" for r in rows) + "\n</table>"


def disclosure_table(gold: dict[str, Any], style: Style) -> str:
    template = gold["active_disclosure"]["template"]
    rows = []
    for heading, heads, members, fields in DISCLOSURE_BLOCKS[template]:
        last = 4 - len(heads)  # the form has four columns; the last heading spans what is left
        rows.append(td(heading, colspan=4))
        rows.append(td("信息内容") + "".join(td(h, colspan=last if i == len(heads) - 1 else 1)
                                           for i, h in enumerate(heads)))
        for key, label in members:
            cells = [format_value(f, gold["active_disclosure"][key][f], style, template == "2019") for f in fields]
            rows.append(td(label) + "".join(td(c, colspan=last if i == len(cells) - 1 else 1)
                                            for i, c in enumerate(cells)))
    return _table(rows)


def _values(gold: dict[str, Any], key: str, style: Style) -> str:
    return "".join(td(format_value(c, gold["applications"][key][c], style)) for c in APPLICANT_COLUMNS)


def application_table(gold: dict[str, Any], style: Style) -> str:
    template = gold["meta"]["template"]
    groups = OUTCOME_GROUPS[template]
    rows = [td(BALANCE_NOTE, rowspan=3, colspan=3) + td("申请人情况", colspan=7),
            td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
            "".join(td(t) for t in APPLICANT_LABELS[1:6])]
    rows += [td(label, colspan=3) + _values(gold, key, style) for key, label in HEAD_ROWS]
    span = sum(len(members) for _, members in groups)
    first = True
    for group, members in groups:
        for i, (key, label) in enumerate(members):
            lead = td(OUTCOMES_HEADING, rowspan=span) if first else ""
            if group is None:
                lead += td(label, colspan=2)
            else:
                lead += (td(group, rowspan=len(members)) if i == 0 else "") + td(label)
            rows.append(lead + _values(gold, key, style))
            first = False
    rows += [td(label, colspan=3) + _values(gold, key, style) for key, label in TAIL_ROWS]
    return _table(rows)


def review_table(gold: dict[str, Any], style: Style) -> str:
    data = gold["review_litigation"]
    return _table([
        td("行政复议", colspan=5) + td("行政诉讼", colspan=10),
        "".join(td(t, rowspan=2) for t in OUTCOME_LABELS) + td("未经复议直接起诉", colspan=5) + td("复议后起诉", colspan=5),
        "".join(td(t) for _ in range(2) for t in OUTCOME_LABELS),
        "".join(td(format_value(f, data[g][f], style)) for g in REVIEW_GROUPS for f in OUTCOME_FIELDS),
    ])


def html_report(gold: dict[str, Any], prose: dict[str, str], title: str, style: Style | None = None) -> str:
    style = style or Style()
    body = [f"<h1>{escape(title)}</h1>", f"<p>{escape(prose['intro'])}</p>",
            f"<h2>{SECTION_HEADINGS[0]}</h2>", f"<p>{escape(prose['overview'])}</p>",
            f"<h2>{SECTION_HEADINGS[1]}</h2>", disclosure_table(gold, style),
            f"<h2>{SECTION_HEADINGS[2]}</h2>", application_table(gold, style),
            f"<h2>{SECTION_HEADINGS[3]}</h2>", review_table(gold, style),
            f"<h2>{SECTION_HEADINGS[4]}</h2>", f"<p>{escape(prose['problems'])}</p>",
            f"<h2>{SECTION_HEADINGS[5]}</h2>", f"<p>{escape(prose['other'])}</p>"]
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
            f"<body>\n" + "\n".join(body) + "\n</body></html>\n")
