"""Text layouts of a table, one per kind of damage seen in the seeds.

Each layout turns rows of cells into text and returns the cell paths the layout leaves unsettled
(gold `ambiguous`): dropped blanks, and run-together digits the row's arithmetic cannot split.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from evals.ambiguity import dropped_blanks, unsettled
from evals.render import Row, values

Layout = Callable[[list[Row], random.Random], tuple[str, set[str]]]


def _paths(row: Row) -> set[str]:
    return {c.path for c in values(row) if c.path}


def _split_heading(row: Row, rng: random.Random) -> list[str]:
    """Cell texts of a row; a docx merged label such as 三、本年度办理结果 may break into 2-char lines."""
    texts = []
    for c in row:
        if c.role == "label" and c.text.startswith("三、本年") and rng.random() < 0.5:
            texts += [c.text[i:i + 2] for i in range(0, len(c.text), 2)]
        else:
            texts.append(c.text)
    return texts


def paragraphs(rows: list[Row], rng: random.Random, drop_blanks: bool = False) -> tuple[str, set[str]]:
    """A .docx dumped one cell per paragraph, as in seed 000: a paragraph with text is followed by
    an empty line, an empty paragraph (a blank cell) is one empty line, or is dropped."""
    out: list[str] = []
    ambiguous: set[str] = set()
    for row in rows:
        if drop_blanks:
            if dropped_blanks([c.value for c in values(row)]):
                ambiguous |= _paths(row)
            row = [c for c in row if not (c.role == "value" and c.value is None)]
        out += [text + "\n\n" if text else "\n" for text in _split_heading(row, rng)]
    return "".join(out), ambiguous  # ends in newlines: trailing blank cells stay visible


def paragraphs_kept(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    return paragraphs(rows, rng, drop_blanks=False)


def paragraphs_dropped(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    return paragraphs(rows, rng, drop_blanks=True)


def pipe_cells(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    """Seed 002: one cell per line ending in ` |`, rows closed by a line of pipes."""
    lines = []
    for row in rows:
        lines += [f"{c.text} |" for c in row]
        lines.append("|" * rng.randint(1, 8))
    return "\n".join(lines), set()


def pipe_rows(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    """A scraped table: `| 规章 | 0 | 0 | 0 |`, blank cells empty between pipes."""
    return "\n".join("| " + " | ".join(c.text for c in row) + " |" for row in rows), set()


def tab_cells(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    """Seed 003: one cell per line with a leading tab, rows separated by an empty line."""
    return "\n\n".join("\n".join("\t" + c.text for c in row) for row in rows), set()


def tab_rows(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    """Seed 004: one row per line, cells separated by tabs."""
    return "\n".join("\t".join(c.text for c in row) for row in rows), set()


def run_together(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    """Labels, a space, then every value of the row with no separator: `一、…数量 713000074`."""
    lines = []
    ambiguous: set[str] = set()
    for row in rows:
        cells = values(row)
        labels = " ".join(c.text for c in row if c.role != "value")
        if not cells:
            lines.append(labels)
            continue
        digits = "".join(c.text for c in cells)
        lines.append(f"{labels} {digits}".strip())
        lost = unsettled([c.text for c in cells], [c.field for c in cells])
        ambiguous |= {p for i in lost if (p := cells[i].path)}
    return "\n".join(lines), ambiguous


def ocr_split(rows: list[Row], rng: random.Random) -> tuple[str, set[str]]:
    """An OCR'd PDF: space-separated rows, some broken across lines, page numbers in between."""
    lines: list[str] = []
    page = rng.randint(2, 30)
    for row in rows:
        tokens = [c.text for c in row]
        if len(tokens) > 2 and rng.random() < 0.3:
            cut = rng.randint(1, len(tokens) - 1)
            lines.append(" ".join(tokens[:cut]))
            if rng.random() < 0.5:
                lines += ["", f"- {page} -", ""]
                page += 1
            lines.append(" ".join(tokens[cut:]))
        else:
            lines.append(" ".join(tokens))
    return "\n".join(lines), set()


LAYOUTS: dict[str, Layout] = {
    "cells_blank_kept": paragraphs_kept,
    "cells_blank_dropped": paragraphs_dropped,
    "pipe_cells": pipe_cells,
    "pipe_rows": pipe_rows,
    "tab_cells": tab_cells,
    "tab_rows": tab_rows,
    "run_together": run_together,
    "ocr_split": ocr_split,
}
