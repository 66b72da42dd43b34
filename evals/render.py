"""The three tables of a gold record as rows of cells in the national form's order and wording,
and the cell texts as a damaged copy would print them (full-width digits, 1,234, `/` for blank…).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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
    TAIL_ROWS,
)

FULLWIDTH = str.maketrans({str(i): chr(0xFF10 + i) for i in range(10)})


@dataclass
class Cell:
    text: str
    role: str  # "label" (row label), "head" (column heading) or "value"
    path: str | None = None
    value: Any = None
    field: str = ""


Row = list[Cell]


@dataclass(frozen=True)
class Style:
    fullwidth: bool = False
    thousands: bool = False
    blank: str = ""  # what a blank cell prints: "", "/", "—"
    yuan: bool = False  # amounts in 元 instead of 万元
    spaced: float = 0.0  # probability that a label is printed with spaces between its characters


def _digits(n: int, style: Style) -> str:
    text = f"{abs(n):,}" if style.thousands and abs(n) >= 1000 else str(abs(n))
    return text


def format_value(field: str, value: Any, style: Style, unit: bool = True) -> str:
    """A cell's text: `+57`, `40.35万元`, `161330元`, `1,234`, or the blank mark."""
    if value is None:
        return style.blank
    if field == "amount_wan":
        if style.yuan:
            text = _digits(int(Decimal(repr(value)) * 10000), style) + "元"
        else:
            whole, _, frac = f"{Decimal(repr(value)).normalize():f}".partition(".")
            text = _digits(int(whole), style) + (f".{frac}" if frac else "") + ("万元" if unit else "")
    elif field == "change":
        text = "0" if value == 0 else ("+" if value > 0 else "-") + _digits(int(value), style)
    else:
        text = _digits(int(value), style)
    return text.translate(FULLWIDTH) if style.fullwidth else text


def _label(text: str, role: str, style: Style, rng: random.Random) -> Cell:
    if style.spaced and len(text) <= 12 and rng.random() < style.spaced:
        text = " ".join(text)
    return Cell(text, role)


def _value(table: str, row: str, field: str, gold: dict[str, Any], style: Style, unit: bool = True) -> Cell:
    value = gold[table][row][field]
    return Cell(format_value(field, value, style, unit), "value", f"{table}.{row}.{field}", value, field)


def disclosure_rows(gold: dict[str, Any], style: Style, rng: random.Random) -> list[Row]:
    template = gold["active_disclosure"]["template"]
    rows: list[Row] = []
    for heading, heads, members, fields in DISCLOSURE_BLOCKS[template]:
        rows.append([Cell(heading, "head")])
        rows.append([Cell("信息内容", "head"), *(_label(h, "head", style, rng) for h in heads)])
        for key, label in members:
            unit = template == "2019"  # 2021's header already says 万元
            rows.append([_label(label, "label", style, rng),
                         *(_value("active_disclosure", key, f, gold, style, unit) for f in fields)])
    return rows


def application_rows(gold: dict[str, Any], style: Style, rng: random.Random) -> list[Row]:
    template = gold["meta"]["template"]
    rows: list[Row] = [
        [Cell(BALANCE_NOTE, "head"), Cell("申请人情况", "head")],
        [_label("自然人", "head", style, rng), Cell("法人或其他组织", "head"), Cell("总计", "head")],
        [_label(t, "head", style, rng) for t in APPLICANT_LABELS[1:6]],
    ]

    def data(key: str, labels: list[str]) -> Row:
        cells = [_label(t, "label", style, rng) for t in labels]
        return cells + [_value("applications", key, c, gold, style) for c in APPLICANT_COLUMNS]

    rows += [data(key, [label]) for key, label in HEAD_ROWS]
    first = True
    for group, members in OUTCOME_GROUPS[template]:
        for i, (key, label) in enumerate(members):
            labels = ([OUTCOMES_HEADING] if first else []) + ([group] if group and i == 0 else []) + [label]
            rows.append(data(key, labels))
            first = False
    rows += [data(key, [label]) for key, label in TAIL_ROWS]
    return rows


def review_rows(gold: dict[str, Any], style: Style, rng: random.Random) -> list[Row]:
    heads = [_label(t, "head", style, rng) for t in OUTCOME_LABELS]
    return [
        [Cell("行政复议", "head"), Cell("行政诉讼", "head")],
        [*heads, Cell("未经复议直接起诉", "head"), Cell("复议后起诉", "head")],
        [Cell(t, "head") for _ in range(2) for t in OUTCOME_LABELS],
        [_value("review_litigation", g, f, gold, style) for g in REVIEW_GROUPS for f in OUTCOME_FIELDS],
    ]


def table_rows(gold: dict[str, Any], style: Style, rng: random.Random) -> dict[str, list[Row]]:
    return {"active_disclosure": disclosure_rows(gold, style, rng),
            "applications": application_rows(gold, style, rng),
            "review_litigation": review_rows(gold, style, rng)}


def values(row: Row) -> list[Cell]:
    return [c for c in row if c.role == "value"]


def prose(gold: dict[str, Any], rng: random.Random) -> dict[str, str]:
    """A little prose for the four prose sections, restating one table figure truthfully."""
    meta = gold["meta"]
    received = gold["applications"]["new_received"]["total"] or 0
    posts, readings = rng.randint(50, 3000), rng.randint(1, 60)
    return {
        "intro": f"本报告根据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自{meta['year']}年1月1日起"
                 f"至{meta['year']}年12月31日止。",
        "overview": f"{meta['year']}年，{meta['agency']}认真贯彻落实政府信息公开工作要求，全年主动公开政府信息"
                    f"{posts}条，发布政策解读{readings}篇，收到政府信息公开申请{received}件。",
        "problems": "一是公开内容不够全面；二是政策解读形式较为单一。下一步将加强培训，完善制度。",
        "other": rng.choice(["无。", "本年度未收取信息处理费。", "无其他需要报告的事项。"]),
    }
