"""`pdf_markdown`: a report PDF converted to Markdown, as evals/real/sh_bgt_2025.md is.

Prose hard-wrapped at the PDF's line width with spaces around numbers (`2025 年`), page footers
(`— 5 —`) wherever a page ends, inside tables too. The tables come out as a mix of text lines and
pipe rows: a row's label on its own line (broken over two) before or after a pipe row of its
numbers; pipe rows whose first cell is half of the group label (`| （三）不 | 4.保护第三方合法权益 | … |`);
a label cut over two cells; numbers-only pipe rows whose label went into a scrambled block of
vertical header text (`三、本` / `年度办` / `理结果`); the column headings of table 三 interleaved
(`社会法律` / `公益服务其他`); `## 表三：…` headings repeated inside one table; table 二's 本年废止件数
printed before the table with a note (`22` / `（其中修订 16 件）`); table 四 as one pipe row of 15
numbers under a scrambled header.

Every value is printed once, in the form's order, so a cell is settled by its position, except
table 二's loose 本年废止件数 when no note names that column (see `disclosure`). No blank cells: a
blank would print nothing here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from evals.page_chrome import long_prose
from evals.pdf_page import Lines, paginate, paragraphs, spaced, wrap
from evals.render import Style, format_value
from evals.spec import (
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    BALANCE_NOTE,
    DISCLOSURE_BLOCKS,
    HEAD_ROWS,
    OUTCOME_FIELDS,
    OUTCOME_GROUPS,
    OUTCOMES_HEADING,
    REVIEW_GROUPS,
    SECTION_HEADINGS,
    TAIL_ROWS,
)

TABLE_HEADINGS = ("## 表二：主动公开政府信息情况", "## 表三：收到和处理政府信息公开申请情况")
REVIEW_HEADER = ["行政复议行政诉讼", "未经复议直接起诉复议后起诉", "结果结果其他尚未", "总计结果结果其他尚未结果结果其他尚未",
                 "维持纠正结果审结维持纠正结果审结"]  # the two header rows of table 四 read line by line


def _num(field: str, value: Any, unit: bool = True) -> str:
    return format_value(field, value, Style(), unit)


def _label_lines(label: str, rng: random.Random) -> list[str]:
    if len(label) > 16 and rng.random() < 0.8:
        cut = rng.randint(len(label) // 2, len(label) - 3)
        return [label[:cut], label[cut:]]
    return [label]


REPEAL_NOTES = ("含自然失效", "其中修订", "其中失效", "含废止")  # notes on 本年废止件数 (sh_bgt_2025: the first two)


def disclosure(out: Lines, gold: dict[str, Any], rng: random.Random) -> set[str]:
    """Table 二; in a 2021 report, 本年废止件数 may be printed before the table, the table's rows holding
    the other two values. Only a note naming 废止 says which column the loose numbers are: without
    one, the block's six cells are unsettled (returned as ambiguous paths)."""
    data = gold["active_disclosure"]
    blocks = DISCLOSURE_BLOCKS[data["template"]]
    unit = data["template"] == "2019"  # 2021's heading already says 万元
    moved = data["template"] == "2021" and rng.random() < 0.6
    first = blocks[0]
    named = False
    if moved:
        out.text(first[0])
        for key, _ in first[2]:
            value = data[key]["repealed"]
            note = value and rng.random() < 0.7
            named = named or bool(note)
            out.text(str(value), *([f"（{rng.choice(REPEAL_NOTES)} {rng.randint(1, value)} 件）"] if note else []))
    for n, (heading, heads, members, fields) in enumerate(blocks):
        if n == 0 and moved:
            continue
        if rng.random() < 0.5:  # the block as text: glued headings, `行政许可 0`
            out.text(heading, "信息内容" + "".join(heads),
                     *(" ".join([label, *(_num(f, data[k][f], unit) for f in fields)]) for k, label in members))
        else:
            out.text(heading)
            out.pipe(["信息内容", *heads])
            for key, label in members:
                _table_row(out, label, [_num(f, data[key][f], unit) for f in fields], rng, TABLE_HEADINGS[0])
    if not moved:
        return set()
    heading, heads, members, fields = first
    out.pipe(["信息内容", *heads])
    for key, label in members:
        out.text(TABLE_HEADINGS[0])
        out.pipe([label, *(_num(f, data[key][f]) for f in fields if f != "repealed")])
    return set() if named else {f"active_disclosure.{key}.{f}" for key, _ in members for f in fields}


def _table_row(out: Lines, label: str, nums: list[str], rng: random.Random, heading: str) -> None:
    """One row: a pipe row, or its label on its own line(s) before or after a numbers-only pipe row."""
    roll = rng.random()
    if roll < 0.12:
        out.text(heading)
    if roll < 0.7:
        out.pipe([label, *nums])
    elif roll < 0.88:
        out.text("", *_label_lines(label, rng))
        out.pipe(nums)
    else:
        out.pipe(nums)
        out.text(*_label_lines(label, rng))


def applications_header(out: Lines, rng: random.Random) -> None:
    """申请人情况 / 法人或其他组织 / the note in two halves / the five narrow headings read across."""
    narrow = [[t[i:i + 2] for i in range(0, len(t), 2)] for t in APPLICANT_LABELS[1:6]]
    in_row = sorted(rng.sample(range(4), k=rng.randint(1, 2)))  # first chunks that fall into the pipe row
    levels: list[str] = ["", "", ""]
    for c, chunks in enumerate(narrow):
        start = 0 if len(chunks) == 3 else 1
        for i, chunk in enumerate(chunks):
            if not (c in in_row and i == 0):
                levels[start + i] += chunk
    note_a, _, note_b = BALANCE_NOTE.partition("，")
    out.text("申请人情况", "法人或其他组织", note_a + "，", *(line for line in levels if line))
    out.text(TABLE_HEADINGS[1])
    out.pipe([note_b, "自然人", *(narrow[c][0] for c in in_row), "总计"])
    if rng.random() < 0.6:
        out.text(TABLE_HEADINGS[1])


OutcomeRow = tuple[str | None, int, int, str, str]  # group label, index in group, group size, key, label


@dataclass
class Plan:
    """Where table 三's damage falls: the scrambled block, groups printed in cells, orphan rows."""

    block_at: int
    in_cells: set[str]
    orphans: set[int]
    far: dict[int, int]  # row → where the cell-held middle of its label starts

    def pair(self, row: OutcomeRow) -> bool:
        """The two middle rows of a group printed in cells carry the group label's halves."""
        group, i, size, *_ = row
        return group in self.in_cells and i in ((size - 1) // 2, (size - 1) // 2 + 1)


def _plan(rows: list[OutcomeRow], rng: random.Random) -> Plan:
    block_at = rng.randint(1, len(rows) - 3)
    plan = Plan(block_at, {g for g, *_ in rows if g and rng.random() < 0.6}, set(), {})
    free = [n for n in range(block_at + 1, len(rows) - 1) if not plan.pair(rows[n])]
    plan.orphans = set(rng.sample(free, k=min(len(free), rng.randint(1, 2))))
    long = [n for n in free if n not in plan.orphans and len(rows[n][4]) > 20]
    if long and rng.random() < 0.5:
        plan.far = {rng.choice(long): rng.randint(8, 14)}
    return plan


def applications(out: Lines, gold: dict[str, Any], rng: random.Random) -> None:
    template = gold["meta"]["template"]
    data = gold["applications"]
    applications_header(out, rng)

    def nums(key: str) -> list[str]:
        return [_num(c, data[key][c]) for c in APPLICANT_COLUMNS]

    for key, label in HEAD_ROWS:
        _table_row(out, label, nums(key), rng, TABLE_HEADINGS[1])
    pool = [OUTCOMES_HEADING[i:i + 3] for i in range(0, len(OUTCOMES_HEADING), 3)]  # the vertical merged cell
    rows = [(g, i, len(m), key, label) for g, m in OUTCOME_GROUPS[template] for i, (key, label) in enumerate(m)]
    plan = _plan(rows, rng)
    for n in sorted(plan.orphans):
        pool += _label_lines(rows[n][4], rng)
    for n, a in plan.far.items():  # `1.申请人无正当理由逾期不补正、` and `开申请` to the scramble, the middle to a cell
        pool += [rows[n][4][:a], rows[n][4][a + 14:]]
    for n, row in enumerate(rows):
        if n == plan.block_at:
            out.text("", *_scramble(pool, rng))
        group, i = row[0], row[1]
        rest = ""
        if group and group not in plan.in_cells and i == 0:  # the group label's first half stands alone
            half = rng.randint(3, len(group) - 2)
            out.text("", group[:half])
            if n < plan.block_at:
                pool.append(group[half:])
            else:
                rest = group[half:]  # printed after the row
        _outcome_row(out, n, row, plan, nums(row[3]), rng)
        if rest:
            out.text(rest)
    for key, label in TAIL_ROWS:
        out.pipe([label, *nums(key)])


def _outcome_row(out: Lines, n: int, row: OutcomeRow, plan: Plan, nums: list[str], rng: random.Random) -> None:
    group, i, size, _, label = row
    if group and plan.pair(row):
        half = len(group) - 3
        out.pipe([group[:half] if i == (size - 1) // 2 else group[half:], label, *nums])
    elif n in plan.orphans:
        out.pipe(nums)
    elif n in plan.far:
        out.pipe([label[plan.far[n]:plan.far[n] + 14], *nums])
    elif group in plan.in_cells:
        out.pipe([label, *nums, *([""] if rng.random() < 0.8 else [])])
    elif len(label) > 20 and rng.random() < 0.4:  # a long label cut over a text line and two cells
        a, b = sorted(rng.sample(range(4, len(label) - 2), k=2))
        out.text(label[:a])
        out.pipe([label[a:b], label[b:], *nums])
    else:
        _table_row(out, label, nums, rng, TABLE_HEADINGS[1])


def _scramble(pool: list[str], rng: random.Random) -> list[str]:
    """The scrambled block: vertical heading chunks glued to label fragments; empties the pool."""
    heading = pool[:3]
    others = pool[3:]
    lines = list(heading)
    for item in others:
        at = rng.randint(0, len(lines))
        if at < len(heading) and rng.random() < 0.4:
            lines[at] += item
        else:
            lines.insert(at, item)
    pool.clear()
    return lines


def review(out: Lines, gold: dict[str, Any], rng: random.Random) -> None:
    data = gold["review_litigation"]
    out.text(*REVIEW_HEADER)
    if rng.random() < 0.5:
        out.text("注：行政复议、行政诉讼数量含上年度结转数量。")
    out.pipe(["维持", "纠正", "结果", "审结", "总计", "总计"])
    out.pipe([_num(f, data[g][f]) for g in REVIEW_GROUPS for f in OUTCOME_FIELDS])


def markdown_report(gold: dict[str, Any], title: str, rng: random.Random) -> tuple[str, set[str]]:
    """The Markdown a PDF converter makes of a report, and its unsettled cells (see `disclosure`)."""
    width = rng.randint(26, 31)
    p = long_prose(gold, rng)
    out = Lines()
    if rng.random() < 0.5:
        out.text("正文")
    out.text(*wrap(spaced(title), width - rng.randint(6, 10)))
    paragraphs(out, p["intro"], width)
    out.text(SECTION_HEADINGS[0])
    paragraphs(out, p["overview"], width)
    out.text(SECTION_HEADINGS[1])
    ambiguous = disclosure(out, gold, rng)
    out.text("", SECTION_HEADINGS[2])
    start = len(out.lines)
    applications(out, gold, rng)
    span = (start, len(out.lines))
    out.text("", SECTION_HEADINGS[3])
    review(out, gold, rng)
    out.text("")
    if rng.random() < 0.6:
        out.text(SECTION_HEADINGS[4])
    paragraphs(out, p["problems"], width)
    out.text(SECTION_HEADINGS[5])
    paragraphs(out, p["other"], width)
    return "\n".join(paginate(out.lines, span, rng)) + "\n", ambiguous
