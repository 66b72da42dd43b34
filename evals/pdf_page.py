"""The page of a PDF as a converter to Markdown writes it: text lines wrapped at the page width with
the text layer's spacing, pipe rows each new table of which starts with its rule line, and page
footers (`— 5 —`) wherever a page ends. Used by evals/pdf_markdown.py.
"""

from __future__ import annotations

import random
import re


def spaced(text: str) -> str:
    """A PDF text layer's spacing: `2025 年`, `申请 1295 件`."""
    text = re.sub(r"(?<=[\u4e00-\u9fff])(?=\d)", " ", text)
    return re.sub(r"(?<=\d)(?=[\u4e00-\u9fff])", " ", text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters; a number is never cut (`2025` / `年` but not `202` / `5 年`)."""
    out = []
    while len(text) > width:
        cut = width
        while cut > 1 and text[cut - 1].isdigit() and text[cut].isdigit():
            cut -= 1
        out.append(text[:cut].strip())
        text = text[cut:]
    return [*out, text.strip()]


class Lines:
    """The converter's output, line by line: a new pipe table starts with its rule line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.width = 0  # cells of the pipe table being written, 0 after a text line

    def text(self, *lines: str) -> None:
        self.lines += lines
        self.width = 0

    def pipe(self, cells: list[str]) -> None:
        self.lines.append("| " + " | ".join(cells) + " |")
        if len(cells) != self.width:
            self.lines.append("|" + "---|" * len(cells))
        self.width = len(cells)


def paragraphs(out: Lines, text: str, width: int) -> None:
    """Lines of `text` wrapped at the page width; a `（一）…方面。` sub-heading on a line of its own."""
    for paragraph in text.split("\n"):
        sentences = [s + "。" for s in paragraph.split("。") if s]
        if paragraph.startswith("（"):
            out.text(sentences.pop(0).rstrip("。"))
        out.text(*wrap(spaced("".join(sentences)), width), "")


def paginate(lines: list[str], table_span: tuple[int, int], rng: random.Random) -> list[str]:
    """`— n —` at every page end; one always falls inside table 三's lines (a page break in a table)."""
    every = rng.randint(24, 32)
    ends = set(range(every, len(lines), every))
    if not any(table_span[0] < e < table_span[1] for e in ends):
        ends.add(rng.randint(table_span[0] + 1, table_span[1] - 1))
    ends = {e + 1 if lines[e].startswith("|-") else e for e in ends}  # a row and its rule stay together
    out: list[str] = []
    for n, line in enumerate(lines):
        if n in ends:
            out.append(f"— {len([e for e in ends if e <= n])} —")
        out.append(line)
    return [*out, f"— {len(ends) + 1} —"]
