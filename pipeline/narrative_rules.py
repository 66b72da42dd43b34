"""The narrative rules: check prose claims against their own parts and against the tables.

Pure functions over claims and a record, used on the claims of the rule-based finder
(`pipeline.narrative.find_claims`) and of the LLM layer alike. Messages state the rule, the
quote, expected and found, so they double as re-ask text.
"""

from __future__ import annotations

import math

from schemas.claims import Claims, PartsClaim, PercentClaim, TableClaim
from schemas.record import Finding, Record


def check_claims(claims: Claims, record: Record) -> list[Finding]:
    """Findings of `narrative.percent`, `narrative.parts_sum` and `narrative.table_agreement`."""
    findings = [_check_percent(c) for c in claims.percents]
    findings += [_check_parts(c) for c in claims.parts]
    findings += [_check_table(c, record) for c in claims.table]
    return [f for f in findings if f is not None]


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.6f}".rstrip("0").rstrip(".")


def _decimals(x: float) -> int:
    text = _fmt(x)
    return len(text.split(".")[1]) if "." in text else 0


def _short(quote: str, limit: int = 120) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def _check_percent(claim: PercentClaim) -> Finding | None:
    """Stated percent vs part/whole*100, allowing rounding or truncation to the stated precision."""
    if claim.whole == 0:
        return None
    computed = claim.part / claim.whole * 100
    places = _decimals(claim.percent)
    unit = 10.0 ** -places
    if claim.percent - unit / 2 - 1e-9 <= computed < claim.percent + unit + 1e-9:
        return None
    shown = f"{computed:.{places}f}"
    return Finding(rule="narrative.percent", severity="error", expected=float(shown), found=claim.percent,
                   message=f'narrative.percent: "{_short(claim.quote)}" — {_fmt(claim.part)}/{_fmt(claim.whole)} = '
                           f"{shown}%, stated {_fmt(claim.percent)}%")


def _check_parts(claim: PartsClaim) -> Finding | None:
    total = sum(claim.parts)
    if math.isclose(total, claim.whole, abs_tol=1e-6):
        return None
    parts = " + ".join(_fmt(p) for p in claim.parts)
    return Finding(rule="narrative.parts_sum", severity="error", expected=total, found=claim.whole,
                   message=f'narrative.parts_sum: "{_short(claim.quote)}" — the parts {parts} = {_fmt(total)}, '
                           f"stated whole {_fmt(claim.whole)}")


def cell_value(record: Record, path: str) -> float | None:
    """The record's value at a dotted cell path, or None when the table, row or cell is absent or blank."""
    node: object = record
    for name in path.split("."):
        node = getattr(node, name, None)
        if node is None:
            return None
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def _check_table(claim: TableClaim, record: Record) -> Finding | None:
    cell = cell_value(record, claim.path)
    if cell is None or math.isclose(cell, claim.value, abs_tol=1e-6):
        return None
    return Finding(rule="narrative.table_agreement", severity="error", cells=[claim.path], expected=cell,
                   found=claim.value,
                   message=f'narrative.table_agreement: {claim.path} — the table has {_fmt(cell)}, the prose states '
                           f'{_fmt(claim.value)} ("{_short(claim.quote)}")')
