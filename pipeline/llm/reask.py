"""Validator-driven re-asks of a table's LLM cells.

Each round validates the table as it stands; the failing cells that came from the LLM are sent
back with the validator's own messages and each cell's source snippet. Every re-asked number must
carry a quote that is in the source and holds the number, else it is rejected (the cell goes back
to what the parser read, usually null) and an `llm.rejected` finding says so.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from pipeline.core import Document, normalise
from pipeline.llm.client import LlmClient
from pipeline.llm.grounding import NUMBER, locate_view, number_in
from pipeline.llm.labels import ROWS, TITLES, describe
from pipeline.llm.prompts import PromptFile
from pipeline.llm.tables import TableWork, table_errors
from schemas.record import Finding, LlmCell, SpanOut

SNIPPET = 160
Validate = Callable[[TableWork], list[Finding]]


class CellAnswer(BaseModel):
    path: str
    value: float | None
    quote: str = ""


class CellAnswers(BaseModel):
    cells: list[CellAnswer] = []


def reask_loop(work: TableWork, client: LlmClient, prompt: PromptFile, doc: Document, max_reasks: int,
               validate: Validate) -> list[Finding]:
    """Re-ask until the LLM cells pass or `max_reasks` rounds are spent; the final table errors."""
    errors = table_errors(validate(work), work.table)
    for attempt in range(2, max_reasks + 2):
        bad = sorted({c for f in errors for c in f.cells if c in work.cells})
        if not bad:
            break
        relevant = [f for f in errors if any(c in bad for c in f.cells)]
        messages = prompt.render("reask", table_title=TITLES[work.table],
                                 problems="\n".join(f"- {f.message}" for f in relevant),
                                 cells="\n".join(_cell_line(work, doc, path) for path in bad))
        reply = client.ask(messages, CellAnswers, prompt)
        for answer in reply.cells:
            if answer.path in bad:
                _apply(work, doc, answer, attempt)
        errors = table_errors(validate(work), work.table)
    return errors


def _apply(work: TableWork, doc: Document, answer: CellAnswer, attempt: int) -> None:
    path = answer.path
    if answer.value is None:
        work.state[path] = work.det.get(path)
        work.cells.pop(path, None)
        return
    amount = path.endswith("amount_wan")
    span = _number_span(doc, work, answer.quote, answer.value, amount)
    if span is None:
        work.findings.append(Finding(
            rule="llm.rejected", severity="warning", cells=[path], found=float(answer.value),
            message=f"llm.rejected: {path} = {answer.value} on re-ask, but its quote {answer.quote[:80]!r} "
                    "is not in the source or does not hold that number; cell left as the parser read it"))
        work.state[path] = work.det.get(path)
        work.cells.pop(path, None)
        work.replaced.discard(path)
        return
    value = int(answer.value) if float(answer.value).is_integer() and not amount else answer.value
    work.state[path] = value
    quote_span = locate_view(doc, answer.quote, (work.section.body_start, work.section.end))
    quote = doc.view[quote_span[0]:quote_span[1]] if quote_span else answer.quote
    work.cells[path] = LlmCell(attempts=attempt, quote=quote)
    work.provenance[path] = SpanOut(start=span[0], end=span[1])


def _number_span(doc: Document, work: TableWork, quote: str, value: float, amount: bool) -> tuple[int, int] | None:
    """Source span of the number inside the quote, when the quote is in the table's text."""
    if not (number_in(value, quote) or (amount and number_in(value * 10000, quote))):
        return None
    view_span = locate_view(doc, quote, (work.section.body_start, work.section.end))
    if view_span is None:
        return None
    text = doc.view[view_span[0]:view_span[1]]
    for match in NUMBER.finditer(normalise(text)):
        number = abs(float(match.group().replace(",", "")))
        if abs(number - abs(value)) < 1e-9 or (amount and abs(number - abs(value) * 10000) < 1e-6):
            end = view_span[0] + match.end()
            unit = next((u for u in ("万元", "亿元", "元") if text.startswith(u, match.end())), "")
            return doc.to_source(view_span[0] + match.start(), end + len(unit))
    return None


def _cell_line(work: TableWork, doc: Document, path: str) -> str:
    return f"- {path}（{describe(path)}）：上次填 {work.state.get(path)}；原文片段：「{_snippet(doc, work, path)}」"


def _snippet(doc: Document, work: TableWork, path: str) -> str:
    """The source text from the cell's row label on, or the table's start when the label is absent."""
    start, end = work.section.body_start, work.section.end
    search = ROWS.get(path.split(".")[1], ("", ""))[1]
    found = locate_view(doc, search, (start, end)) if search and work.table != "review_litigation" else None
    begin = found[0] if found else start
    return " ".join(doc.view[begin:min(end, begin + SNIPPET)].split())
