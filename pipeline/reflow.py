"""Line breaks where a report lost them: a crawled page with the whole report on one line.

The later stages find headings and table rows line by line. When a line is far longer than any
heading or row and holds several of the form's anchors (section headings such as `一、总体情况`,
table 二 block titles `第二十条第（一）项`, row labels such as `（一）予以公开` or `1.属于国家秘密`,
table 四's header), a virtual line break is put before each anchor, and after a section heading's
title, so that `…要求。一、总体情况2021年，我区…` reads as a heading line and a paragraph. The
inserted breaks exist in the view only: `view_map` sends every view character back to its source
offset, so spans stay exact.

A row label's numbering may be glued to the previous row's digits (`00000002.其他法律…`): an
item digit 1–8 with its `.` or `、` right before an item label is taken as the label's numbering,
and the break goes before it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from pipeline.core import Document, Grid, GridCell

LONG_LINE = 160  # longer than any heading or table row printed on a line of its own
MIN_ANCHORS = 3

_CN_NUM = "[一二三四五六七]"
_SECTION_TITLES = (
    r"总体情况|总体概况|基本情况",
    r"主动公开政府信息(?:的)?情况|主动公开(?:政府信息)?(?:工作)?情况",
    r"收到和处理政府信息公开申请(?:的)?情况|(?:政府信息公开)?依申请公开(?:政府信息)?(?:工作)?(?:的)?情况",
    r"(?:因)?政府信息公开(?:申请)?(?:工作)?(?:被申请)?行政复议[、和及]?(?:提起)?行政诉讼(?:的)?情况",
    r"(?:政府信息公开)?(?:工作)?存在(?:的)?(?:主要)?问题(?:及|和|与)(?:其)?改进(?:情况|措施)",
    r"其他需要报告的事项|其他需报告的事项",
)
SECTION_ANCHOR = re.compile(rf"{_CN_NUM}\s*[、.．]\s*(?:{'|'.join(_SECTION_TITLES)})")

_ITEM = r"(?:[1-8]\s*[.．、])"
_ROW_LABELS = (
    r"第二十条第\s*[(（]\s*[一二三四五六七八九十]+\s*[)）]\s*项",
    r"[一二三四]\s*[、.．]\s*(?:本年新收|上年结转|本年度办理结果|结转下年度)",
    r"[(（]\s*[一二三四五六七]\s*[)）]\s*(?:予以公开|部分公开|不予公开|无法提供|不予处理|其他处理|总计)",
    rf"{_ITEM}?(?:属于国家秘密|其他法律行政法规禁止公开|危及|保护第三方|属于三类内部|属于四类过程|属于行政执法案卷"
    r"|属于行政查询|本机关不掌握|没有现成信息|补正后申请内容|信访举报投诉|重复申请|要求提供公开出版物"
    r"|无正当理由大量反复|要求行政机关确认|申请人无正当理由逾期|申请人逾期未按)",
    rf"{_ITEM}其他(?=\d|\s|$)",
    r"(?<![行政])(?:规章|行政规范性文件|规范性文件|行政许可|其他对外管理服务事项|行政处罚|行政强制|行政事业性收费"
    r"|政府集中采购)(?=\s*[\d/—-])",
    r"(?:申请人情况|信息内容)",
    r"行政复议\s*行政诉讼",
    r"(?<=总计)(?=\d{15,})",  # table 四's one row of 15 cells glued to its header
)
ROW_ANCHOR = re.compile("|".join(f"(?:{p})" for p in _ROW_LABELS))
_SECTION_SET = re.compile(rf"(?:{'|'.join(_SECTION_TITLES)})")


def reflow(doc: Document) -> Document:
    """`doc` with line breaks before the anchors of its overlong lines (unchanged if it has none)."""
    view = doc.view
    breaks: list[int] = []
    pos = 0
    for line in view.split("\n"):
        if len(line) > LONG_LINE:
            breaks.extend(pos + b for b in _line_breaks(line))
        pos += len(line) + 1
    if not breaks:
        return doc
    return _with_breaks(doc, sorted(set(breaks)))


_TABLES_FROM = re.compile(r"二\s*[、.．]\s*主动公开")
_TABLES_TO = re.compile(r"五\s*[、.．]\s*(?:政府信息公开)?(?:工作)?存在")


def _line_breaks(line: str) -> list[int]:
    heads = [(m.start(), m.end()) for m in SECTION_ANCHOR.finditer(line)]
    start, end = _table_part(line)
    rows = [m.start() for m in ROW_ANCHOR.finditer(line, start, end)]
    if len(heads) + len(rows) < MIN_ANCHORS:
        return []
    out = [b for start, end in heads for b in (start, end)]
    out += [r for r in rows if not any(s <= r < e for s, e in heads)]
    return [b for b in out if 0 < b < len(line)]


def _table_part(line: str) -> tuple[int, int]:
    """Where row labels may be: from section 二's heading to section 五's, when the line has them
    (prose before and after may name 行政许可 and the like with a number)."""
    first = _TABLES_FROM.search(line)
    last = _TABLES_TO.search(line, first.end() if first else 0)
    return (first.start() if first else 0), (last.start() if last else len(line))


def _with_breaks(doc: Document, breaks: list[int]) -> Document:
    view = doc.view
    base = doc.view_map if doc.view_map is not None else list(range(len(view)))
    parts: list[str] = []
    vmap: list[int] = []
    inserted: list[int] = []  # old view offsets a line break was put before
    prev = 0
    for b in [*breaks, len(view)]:
        parts.append(view[prev:b])
        vmap.extend(base[prev:b])
        if b < len(view) and view[b] != "\n" and not view[prev:b].endswith("\n"):
            parts.append("\n")
            vmap.append(base[b])
            inserted.append(b)
        prev = b

    def moved(i: int) -> int:  # an old view offset in the new view
        return i + bisect_right(inserted, i)

    grids = [Grid(moved(g.start), moved(g.end),
                  tuple(tuple(GridCell(c.text, moved(c.start), moved(c.end), c.spanned) for c in row) for row in g.rows))
             for g in doc.grids]
    return replace(doc, view="".join(parts), view_map=vmap, grids=grids, memo={})
