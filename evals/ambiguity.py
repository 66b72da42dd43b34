"""Which cells a damage destroys: the generator's knowledge, recorded as gold `ambiguous` paths.

Run-together digits (`713000074`) are split in every way the cell formats allow; a cell is settled
only when every split that satisfies the row's own arithmetic gives it the same value.
Dropped blanks unsettle every cell of a row that had both blanks and values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from evals.spec import APPLICANT_COLUMNS, OUTCOME_FIELDS

INT = re.compile(r"0|[1-9]\d*")
SIGNED = re.compile(r"0|[+-]?[1-9]\d*")  # reports print the change with or without its sign
AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?")
MAX_SOLUTIONS = 64
Check = Callable[[list[str]], bool]


def pattern_for(field: str) -> re.Pattern[str]:
    if field == "change":
        return SIGNED
    return AMOUNT if field == "amount_wan" else INT


def _num(text: str) -> float:
    return float(text.replace("万元", "").replace("元", "") or 0)


def row_check(fields: Sequence[str]) -> Check:
    """The arithmetic a row carries by itself: table 三 row totals, table 四 group totals."""
    if tuple(fields) == APPLICANT_COLUMNS:
        return lambda parts: _num(parts[-1]) == sum(_num(p) for p in parts[:-1])
    if len(fields) == 3 * len(OUTCOME_FIELDS) and tuple(fields[:5]) == OUTCOME_FIELDS:
        def groups(parts: list[str]) -> bool:
            return all(_num(parts[i + 4]) == sum(_num(p) for p in parts[i:i + 4]) for i in range(0, 15, 5))
        return groups
    return lambda parts: True


def splits(text: str, patterns: Sequence[re.Pattern[str]], check: Check, limit: int = MAX_SOLUTIONS) -> list[list[str]]:
    """Every way to cut `text` into len(patterns) pieces, each matching its pattern, that passes `check`.
    A space in `text` is a cell boundary the source does show: no piece spans it."""
    found: list[list[str]] = []

    def walk(pos: int, k: int, parts: list[str]) -> None:
        if len(found) >= limit:
            return
        while pos < len(text) and text[pos] == " ":
            pos += 1
        if k == len(patterns) - 1:
            rest = text[pos:]
            if " " not in rest and patterns[k].fullmatch(rest) and check([*parts, rest]):
                found.append([*parts, rest])
            return
        for end in range(pos + 1, len(text)):
            piece = text[pos:end]
            if " " in piece:
                break
            if patterns[k].fullmatch(piece):
                walk(end, k + 1, [*parts, piece])

    walk(0, 0, [])
    return found


def unsettled(pieces: Sequence[str], fields: Sequence[str], shown: frozenset[int] = frozenset()) -> set[int]:
    """Indexes of the cells whose value the run-together text `"".join(pieces)` does not settle.
    `shown`: indexes i whose boundary with cell i + 1 the source shows (a stray space)."""
    text = "".join(p + (" " if i in shown else "") for i, p in enumerate(pieces))
    solutions = splits(text.rstrip(" "), [pattern_for(f) for f in fields], row_check(fields))
    if not solutions or len(solutions) >= MAX_SOLUTIONS:
        return set(range(len(pieces)))
    return {i for i in range(len(pieces)) if len({_num(s[i]) for s in solutions}) > 1}


def dropped_blanks(values: Sequence[object]) -> bool:
    """A row whose blanks were dropped is unsettled when it had both blanks and values."""
    blanks = sum(1 for v in values if v is None)
    return 0 < blanks < len(values)
