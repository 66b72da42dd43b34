"""Shape statistics of a report's text, measurable alike on a real published report and a generated
one, so a generated kind can be checked against the real example it imitates
(tests/test_eval_real_kinds.py). They read the text only, never a gold file.
"""

from __future__ import annotations

import re
from statistics import median

from evals.spec import APPLICANT_LABELS, DISCLOSURE_BLOCKS, OUTCOME_LABELS, SECTION_HEADINGS

NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
FOOTER = re.compile(r"^\s*[—-]\s*\d+\s*[—-]\s*$")
CHROME_WORDS = ("当前位置", "来源", "微信", "微博", "文件下载", "附件下载")
CELL = re.compile(r"<td\b([^>]*)>(.*?)</td>", re.S)
ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
TABLE = re.compile(r"<table\b.*?</table>", re.S)
SPAN = re.compile(r'(?:col|row)span="?(\d+)')


def _heading_pairs() -> set[tuple[str, str]]:
    """Column headings printed side by side in the national forms."""
    pairs: set[tuple[str, str]] = set()
    for blocks in DISCLOSURE_BLOCKS.values():
        for _, heads, _, _ in blocks:
            seq = ["信息内容", *heads]
            pairs |= set(zip(seq, seq[1:], strict=False))
    for seq in (APPLICANT_LABELS[1:6], OUTCOME_LABELS):
        pairs |= set(zip(seq, seq[1:], strict=False))
    return pairs


HEADING_PAIRS = _heading_pairs()


def table_region(text: str) -> str:
    """From the heading of section 二 to that of section 五 (or to the end)."""
    start = text.find(SECTION_HEADINGS[1])
    if start < 0:
        return ""
    end = text.find("五、", start + len(SECTION_HEADINGS[1]))
    return text[start:end if end > 0 else len(text)]


# ---- crawler text ------------------------------------------------------------------------------

def lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def longest_line_share(text: str) -> float:
    return max(len(line) for line in text.splitlines()) / len(text)


def glued_number_share(region: str) -> float:
    """Share of numbers in the tables that touch the text before them (no space, no cell rule)."""
    runs = list(NUMBER.finditer(region))
    glued = sum(1 for m in runs if m.start() and region[m.start() - 1] not in " \t\n|")
    return glued / len(runs) if runs else 0.0


def long_run_share(region: str) -> float:
    """Share of digit runs of six or more digits: several cells run together."""
    runs = [m.group().lstrip("+-").replace(".", "") for m in NUMBER.finditer(region)]
    return sum(1 for r in runs if len(r) >= 6) / len(runs) if runs else 0.0


def glued_heading_share(text: str) -> float:
    """Of the form's adjacent column headings found, the share printed with nothing between them."""
    glued = sum(text.count(a + b) for a, b in HEADING_PAIRS)
    apart = sum(len(re.findall(re.escape(a) + r"[\s|]+" + re.escape(b), text)) for a, b in HEADING_PAIRS)
    return glued / (glued + apart) if glued + apart else 0.0


def spaces_per_100(region: str) -> float:
    return 100 * region.count(" ") / len(region) if region else 0.0


def mid_line_headings(text: str) -> int:
    """Section headings that do not start a line."""
    return sum(1 for h in SECTION_HEADINGS if (i := text.find(h)) > 0 and text[i - 1] != "\n")


def chrome_words(text: str) -> int:
    return sum(1 for w in CHROME_WORDS if w in text)


# ---- PDF converted to Markdown -----------------------------------------------------------------

def _pipe_cells(line: str) -> list[str] | None:
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")) or set(line) <= set("|-: "):
        return None
    return [c.strip() for c in line[1:-1].split("|")]


def _pipe_rows(text: str) -> list[list[str]]:
    return [cells for line in text.splitlines() if (cells := _pipe_cells(line)) is not None]


def numbers_only_rows(text: str) -> int:
    """Pipe rows of numbers with no label."""
    return sum(1 for cells in _pipe_rows(text)
               if any(cells) and all(NUMBER.fullmatch(c) or not c for c in cells))


def group_label_rows(text: str) -> int:
    """Pipe rows of numbers whose first two cells are both text (a group label, or a label cut in two)."""
    return sum(1 for cells in _pipe_rows(text)
               if len(cells) > 2 and not NUMBER.search(cells[0]) and not NUMBER.fullmatch(cells[1])
               and cells[1] and any(NUMBER.fullmatch(c) for c in cells[2:]))


def wide_rows(text: str) -> int:
    """Pipe rows ending in an empty cell (the merged group column of the PDF's grid)."""
    return sum(1 for cells in _pipe_rows(text) if len(cells) > 2 and not cells[-1] and NUMBER.fullmatch(cells[-2]))


def footers_in_tables(text: str) -> int:
    """Page footers between section 二's heading and the last pipe row."""
    all_lines = text.splitlines()
    start = next((i for i, line in enumerate(all_lines) if line.strip() == SECTION_HEADINGS[1]), None)
    last = max((i for i, line in enumerate(all_lines) if _pipe_cells(line)), default=None)
    if start is None or last is None:
        return 0
    return sum(1 for line in all_lines[start:last] if FOOTER.match(line))


def table_headings(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("## 表"))


def prose_line_length(text: str) -> float:
    """Median length of the lines of ten characters or more before section 二 (the prose, hard-wrapped
    at the PDF's width)."""
    head = text.split("\n" + SECTION_HEADINGS[1] + "\n")[0]
    lengths = [len(line) for line in head.splitlines() if len(line) >= 10]
    return median(lengths) if lengths else 0.0


# ---- HTML grid ---------------------------------------------------------------------------------

def spanning_cells(html: str) -> int:
    """Table cells merged over more than one grid column or row."""
    return sum(1 for attrs, _ in CELL.findall(html) if any(int(n) > 1 for n in SPAN.findall(attrs)))


def spread_value_rows(html: str) -> tuple[int, int]:
    """(rows, data rows) of the first table whose values cover more grid columns than they are:
    a value cell with a colspan, or empty cells after the values."""
    tables = TABLE.findall(html)
    if not tables:
        return 0, 0
    spread = total = 0
    for row in ROW.findall(tables[0]):
        cells = CELL.findall(row)
        if not any(NUMBER.search(text) for _, text in cells[1:]):
            continue
        total += 1
        values = cells[1:]
        spread += any(SPAN.search(a) for a, _ in values) or any(not t.strip() for _, t in values)
    return spread, total


def unit_in_amount_cells(html: str) -> int:
    return sum(1 for _, text in CELL.findall(html) if re.fullmatch(r"\d+(?:\.\d+)?(?:万元|元)", text.strip()))
