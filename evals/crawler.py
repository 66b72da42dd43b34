"""`crawler_oneline`: a report page saved as text by a crawler, as evals/real/pingtan_2021.txt is.

A few header lines (标题, 发布时间, 原文链接 …), then the whole page on one line: breadcrumbs,
来源/时间, 微信 微博, 文件下载, the report with its headings mid-line (`…等文件要求。一、总体情况2021年，`),
the tables flattened with nothing between a label and its numbers or between the numbers
(`行政规范性文件693665`), header words glued (`信息内容本年制发件数本年废止件数现行有效件数`), now and
then a stray space at a cell boundary (`500000 5`), and 附件下载 at the end.

Blank cells cannot be printed (there is nothing between cells to leave empty), so the records
have none. Run-together values are gold `ambiguous` where the row's own arithmetic does not
single out the split (evals/ambiguity.py); a stray space is a boundary the source does show.
"""

from __future__ import annotations

import random
from typing import Any

from evals.ambiguity import unsettled
from evals.page_chrome import SHARE_WORDS, TAIL_WORDS, VIEW_WORDS, Page, long_prose, page_for
from evals.render import Row, Style, table_rows, values
from evals.spec import SECTION_HEADINGS, TABLES

STRAY_SPACE = 0.015  # chance of a space at any one cell boundary (pingtan: 7 in about 500)


def flatten_row(row: Row, rng: random.Random) -> tuple[str, set[str]]:
    """One row with nothing between its cells but an occasional stray space; its unsettled paths."""
    out = ""
    shown: set[int] = set()
    k = -1  # index of the last value written
    for cell in row:
        if out and rng.random() < STRAY_SPACE:
            out += " "
            if cell.role == "value" and k >= 0:
                shown.add(k)
        out += cell.text
        k += cell.role == "value"
    cells = values(row)
    if not cells:
        return out, set()
    lost = unsettled([c.text for c in cells], [c.field for c in cells], frozenset(shown))
    return out, {p for i in lost if (p := cells[i].path)}


def flatten_table(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    text, ambiguous = "", set()
    for row in rows:
        part, lost = flatten_row(row, rng)
        text += (" " if text and rng.random() < STRAY_SPACE else "") + part
        ambiguous |= lost
    return text, ambiguous


def header_lines(title: str, page: Page) -> list[str]:
    stamp = page.date.replace("-", "")
    return [f"标题: {title}", f"发布时间: {page.date} {page.time}", "文号: ", "发布机构: ", "栏目: 政府信息公开年报",
            f"原文链接: https://www.{page.site}.gov.cn/zwgk/zfxxgk/zfxxgknb/{stamp[:6]}/t{stamp}_{page.doc_id}.htm",
            f"本地目录: zwgk/zfxxgk/zfxxgknb/{stamp[:6]}/{page.doc_id}_{title}", "页面链接与图片详见 links.tsv(同目录)",
            "==================== 正文 ===================="]


def chrome_before(title: str, page: Page, rng: random.Random) -> str:
    crumbs = rng.choice(["首页政务公开政府信息公开政府信息公开年报", "首页 > 政府信息公开 > 政府信息公开年报",
                         "首页>信息公开>年度报告"])
    view = rng.choice(VIEW_WORDS)
    return (f"当前位置： {crumbs} {title} 来源：{page.publisher} 时间：{page.date} {page.time} "
            f"{rng.choice(SHARE_WORDS)} {view}{' ' if view else ''}相关链接： --> ")


def crawler_report(gold: dict[str, Any], title: str, rng: random.Random) -> tuple[str, set[str]]:
    """The page text of a report and the cells its flattening leaves unsettled."""
    rows = table_rows(gold, Style(), rng)
    tables = {t: flatten_table(rows[t], rng) for t in TABLES}
    p = {k: v.replace("\n", "") for k, v in long_prose(gold, rng).items()}
    body = [p["intro"], SECTION_HEADINGS[0], p["overview"], SECTION_HEADINGS[1], tables["active_disclosure"][0],
            SECTION_HEADINGS[2], tables["applications"][0], SECTION_HEADINGS[3], tables["review_litigation"][0],
            SECTION_HEADINGS[4], p["problems"], SECTION_HEADINGS[5], p["other"]]
    line = chrome_before(title, page := page_for(gold, rng), rng)
    for part in body:  # a heading or a table now and then has a space before it, mostly not
        line += (" " if rng.random() < 0.3 else "") + part
    line += " " + rng.choice(TAIL_WORDS)
    head = header_lines(title, page) if rng.random() < 0.8 else []
    return "\n".join([*head, line]) + "\n", set().union(*(t[1] for t in tables.values()))
