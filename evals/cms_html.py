"""`cms_html_colspan`: a government CMS page holding a Word table export, as the issue's CMS pages
and the ruled grid of evals/real/hzq_2023.pdf are.

The page has its chrome (breadcrumbs, 来源/时间, 分享到 微信 微博, 附件下载) around the report. The
tables are Word grids: block bands and headings merged over several columns, a single value cell
spanning the three value columns (`<td colspan="3">4119</td>`), or written as the value and two
empty cells; a label column the export split in two (`信息内容` over two columns, every row a label
and an empty cell: "4 values for 3 columns"), a label written as a cell and an empty cell instead
of one spanning cell, and amounts with their unit inside the cell (`251000元`, `25.1万元`).

Every cell keeps its grid position (the headings span exactly what the rows hold), so every value
is settled: blanks are empty cells, and the gold has no ambiguous cell.
"""

from __future__ import annotations

import random
from html import escape
from typing import Any

from evals.html_form import review_table, td
from evals.page_chrome import Page, long_prose, page_for
from evals.render import Style, format_value
from evals.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    BALANCE_NOTE,
    DISCLOSURE_BLOCKS,
    HEAD_ROWS,
    OUTCOME_GROUPS,
    OUTCOMES_HEADING,
    SECTION_HEADINGS,
    TAIL_ROWS,
)


def _table(rows: list[str]) -> str:
    return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%">\n<tbody>\n'
            + "\n".join(f"<tr>{r}</tr>" for r in rows) + "\n</tbody>\n</table>")


def _spread(cells: list[str], width: int, rng: random.Random) -> str:
    """Value cells over `width` grid columns: the last one spans what is left, or is followed by
    empty cells (a Word row the CMS wrote out cell by cell)."""
    left = width - len(cells)
    if not left:
        return "".join(td(c) for c in cells)
    if rng.random() < 0.5:
        return "".join(td(c) for c in cells[:-1]) + td(cells[-1], colspan=left + 1)
    return "".join(td(c) for c in cells) + td("") * left


def disclosure_table(gold: dict[str, Any], style: Style, rng: random.Random) -> str:
    data = gold["active_disclosure"]
    template = data["template"]
    split = rng.random() < 0.5  # the label column split in two: every label followed by an empty cell
    lead = 2 if split else 1
    rows = []
    for heading, heads, members, fields in DISCLOSURE_BLOCKS[template]:
        rows.append(td(heading, colspan=3 + lead))
        rows.append(td("信息内容", colspan=lead) + "".join(td(h) for h in heads[:-1]) + td(heads[-1], colspan=4 - len(heads)))
        for key, label in members:
            cells = [format_value(f, data[key][f], style, unit=True) for f in fields]
            rows.append(td(label) + (td("") if split else "") + _spread(cells, 3, rng))
    return _table(rows)


def _values(gold: dict[str, Any], key: str, style: Style) -> str:
    return "".join(td(format_value(c, gold["applications"][key][c], style)) for c in APPLICANT_COLUMNS)


def _label(text: str, span: int, rng: random.Random) -> str:
    """A label over `span` grid columns: one spanning cell, or the label and empty cells."""
    if span > 1 and rng.random() < 0.4:
        return td(text) + td("") * (span - 1)
    return td(text, colspan=span)


def application_table(gold: dict[str, Any], style: Style, rng: random.Random) -> str:
    groups = OUTCOME_GROUPS[gold["meta"]["template"]]
    rows = [td(BALANCE_NOTE, rowspan=3, colspan=3) + td("申请人情况", colspan=7),
            td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2),
            "".join(td(t) for t in APPLICANT_LABELS[1:6])]
    rows += [_label(label, 3, rng) + _values(gold, key, style) for key, label in HEAD_ROWS]
    span = sum(len(members) for _, members in groups)
    first = True
    for group, members in groups:
        for i, (key, label) in enumerate(members):
            lead = td(OUTCOMES_HEADING, rowspan=span) if first else ""
            if group is None:
                lead += _label(label, 2, rng)
            else:
                lead += (td(group, rowspan=len(members)) if i == 0 else "") + td(label)
            rows.append(lead + _values(gold, key, style))
            first = False
    rows += [_label(label, 3, rng) + _values(gold, key, style) for key, label in TAIL_ROWS]
    return _table(rows)


def _chrome(title: str, page: Page, rng: random.Random) -> tuple[str, str]:
    crumbs = " &gt; ".join(f'<a href="#">{w}</a>' for w in ("首页", "政务公开", "政府信息公开", "政府信息公开年报"))
    before = (f'<div class="position">当前位置：{crumbs}</div>\n<div class="article-title"><h1>{escape(title)}</h1></div>\n'
              f'<div class="article-info"><span>来源：{escape(page.publisher)}</span> <span>时间：{page.date} {page.time}'
              f'</span> <span>【字体：大 中 小】</span></div>\n<div class="share">分享到：微信 微博 QQ空间</div>')
    after = (f'<div class="attachment">附件下载：<a href="/file/{page.doc_id}.docx">{escape(title)}.docx</a></div>\n'
             f'<div class="tools">【打印本页】 【关闭窗口】</div>' if rng.random() < 0.8 else '<div class="tools">附件下载</div>')
    return before, after


def cms_report(gold: dict[str, Any], title: str, rng: random.Random) -> tuple[str, set[str]]:
    """The page's HTML; no cell is unsettled."""
    style = Style(yuan=rng.random() < 0.5)  # amounts with their unit in the cell: 元 or 万元
    page = page_for(gold, rng)
    p = long_prose(gold, rng)
    before, after = _chrome(title, page, rng)

    def heading(n: int) -> str:
        return f'<p style="text-indent:2em"><strong>{SECTION_HEADINGS[n]}</strong></p>'

    body = [before, '<div class="article-content">', f"<p>{escape(p['intro'])}</p>",
            heading(0), *(f"<p>{escape(para)}</p>" for para in p["overview"].split("\n")),
            heading(1), disclosure_table(gold, style, rng),
            heading(2), application_table(gold, style, rng),
            heading(3), review_table(gold, style),
            heading(4), f"<p>{escape(p['problems'])}</p>", heading(5), f"<p>{escape(p['other'])}</p>", "</div>", after]
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(title)}_{escape(page.publisher)}'
            f"</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"), set()
