"""Damaged and hostile inputs, shared by `tests/test_damage.py` and the fuzz and bomb figures of
`evals/figures.py`: seeded damage of a report's text, and inputs built to exhaust a naive reader."""

from __future__ import annotations

import random
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
KINDS = ("truncated", "lines-dropped", "lines-shuffled", "digits-changed", "one-line", "noise")


def damage(text: str, kind: str, rng: random.Random) -> str:
    """`text` with one kind of damage, drawn from `rng`."""
    if kind == "truncated":
        return text[: rng.randrange(1, len(text))]
    if kind == "lines-dropped":
        return "\n".join(line for line in text.split("\n") if rng.random() > 0.2)
    if kind == "lines-shuffled":
        lines = text.split("\n")
        rng.shuffle(lines)
        return "\n".join(lines)
    if kind == "digits-changed":
        return "".join(rng.choice("0123456789") if c.isdigit() and rng.random() < 0.3 else c for c in text)
    if kind == "one-line":
        return text.replace("\n", " ")
    return "".join(c + (rng.choice("|\t\n 　—/0") if rng.random() < 0.05 else "") for c in text)


def span_bomb(rows: int = 600) -> bytes:
    """HTML whose cells all span 100 rows × 100 columns (27 KB of this took 1 GB and 17 s before
    spans were bounded by the cells that exist)."""
    row = "<tr>" + '<td rowspan="100" colspan="100">1</td>' * 3 + "</tr>"
    return ("<html><body><p>一、总体情况</p><table>" + row * rows + "</table></body></html>").encode()


def one_paragraph(mb: float = 19.0) -> bytes:
    """Sample 004 with its paragraph of shares (占比) repeated into one line of `mb` MB (the share
    look-back was quadratic in a paragraph's sentences)."""
    lines = sorted(SAMPLES.glob("004_*.txt"))[0].read_text(encoding="utf-8").split("\n")
    i = next(k for k, line in enumerate(lines) if "占比51" in line)
    lines[i] *= int(mb * 1e6 / len(lines[i].encode())) + 1
    return "\n".join(lines).encode()
