"""Cell-level asks: the missing cells of a partly read table, and the validator-driven re-asks.

Each cell is asked with its row's source snippet and answered with a quote. A number is taken
only if its quote is in the table's source text and holds the number; otherwise it is rejected
(the cell stays as the parser read it, usually null) and an `llm.rejected` finding says so.
Re-asks send the validator's own messages and only the failing cells that came from the LLM.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core import Document, normalise
from pipeline.llm.client import LlmClient
from pipeline.llm.compact import Compact
from pipeline.llm.grounding import NUMBER, locate_view, number_in
from pipeline.llm.labels import TITLES, describe
from pipeline.llm.prompts import PromptFile
from pipeline.llm.tables import TableWork, row_span, table_errors
from schemas.record import Finding, LlmCell, SpanOut

SNIPPET = 160
Validate = Callable[[TableWork], list[Finding]]


class CellAnswer(Compact):
    path: str
    value: float | None
    quote: str = ""


class CellAnswers(Compact):
    cells: list[CellAnswer] = []


def ask_cells(work: TableWork, client: LlmClient, prompt: PromptFile, doc: Document, paths: list[str],
              attempt: int, problems: list[Finding] | None = None) -> None:
    """Ask about `paths` (with the failing rules' messages on a re-ask) and apply the answers."""
    if not paths:
        return
    cells = _cells_text(work, doc, paths)
    if problems:
        messages = prompt.render("reask", table_title=TITLES[work.table], cells=cells,
                                 problems="\n".join(f"- {f.message}" for f in problems))
    else:
        messages = prompt.render("cells", table_title=TITLES[work.table], cells=cells)
    reply = client.ask(messages, CellAnswers, prompt)
    for answer in reply.cells:
        if answer.path in paths:
            _apply(work, doc, answer, attempt)


def reask_loop(work: TableWork, client: LlmClient, prompt: PromptFile, doc: Document, max_reasks: int,
               validate: Validate) -> list[Finding]:
    """Re-ask until the LLM's cells pass or `max_reasks` rounds are spent; the table's final errors."""
    errors = table_errors(validate(work), work.table)
    for attempt in range(2, max_reasks + 2):
        bad = sorted({c for f in errors for c in f.cells if c in work.cells})
        if not bad:
            break
        ask_cells(work, client, prompt, doc, bad, attempt, [f for f in errors if any(c in bad for c in f.cells)])
        errors = table_errors(validate(work), work.table)
    return errors


def _apply(work: TableWork, doc: Document, answer: CellAnswer, attempt: int) -> None:
    path = answer.path
    parsed = work.det.get(path)
    if answer.value is None or answer.value == parsed:
        _restore(work, path)
        return
    amount = path.endswith("amount_wan")
    spans = _number_span(doc, work, answer.quote, answer.value, amount)
    if spans is None:
        work.findings.append(Finding(
            rule="llm.rejected", severity="warning", cells=[path], found=float(answer.value),
            message=f"llm.rejected: {path} = {answer.value}, but its quote {answer.quote[:80]!r} is not in the "
                    "table's source or does not hold that number; the cell stays as the parser read it"))
        _restore(work, path)
        return
    number_span, quote = spans
    work.state[path] = int(answer.value) if float(answer.value).is_integer() and not amount else answer.value
    work.cells[path] = LlmCell(attempts=attempt, quote=quote)
    work.provenance[path] = SpanOut(start=number_span[0], end=number_span[1])
    if parsed is not None:
        work.replaced.add(path)


def _restore(work: TableWork, path: str) -> None:
    work.state[path] = work.det.get(path)
    work.cells.pop(path, None)
    work.provenance.pop(path, None)
    work.replaced.discard(path)


def _number_span(doc: Document, work: TableWork, quote: str, value: float, amount: bool
                 ) -> tuple[tuple[int, int], str] | None:
    """Source span of the number inside the quote, and the quote as found in the table's text."""
    if not (number_in(value, quote) or (amount and number_in(value * 10000, quote))):
        return None
    view_span = locate_view(doc, quote, (work.section.body_start, work.section.end), anywhere=False)
    if view_span is None:
        return None
    text = doc.view[view_span[0]:view_span[1]]
    for match in NUMBER.finditer(normalise(text)):
        number = abs(float(match.group().replace(",", "")))
        if abs(number - abs(value)) < 1e-9 or (amount and abs(number - abs(value) * 10000) < 1e-6):
            unit = next((u for u in ("万元", "亿元", "元") if text.startswith(u, match.end())), "")
            start, end = view_span[0] + match.start(), view_span[0] + match.end() + len(unit)
            return doc.to_source(start, end), text
    return None


def _cells_text(work: TableWork, doc: Document, paths: list[str]) -> str:
    """The cells grouped by row, each row once with its source snippet."""
    lines: list[str] = []
    shown: set[str] = set()
    for row in dict.fromkeys(p.split(".")[1] for p in paths):
        snippet = _snippet(doc, work, row)
        if snippet not in shown:
            shown.add(snippet)
            lines.append(f"原文片段：「{snippet}」")
        for path in (p for p in paths if p.split(".")[1] == row):
            value = work.state.get(path)
            lines.append(f"- {path}（{describe(path)}）：现为 {'空' if value is None else value}")
    return "\n".join(lines)


def _snippet(doc: Document, work: TableWork, row: str) -> str:
    """The source from the row's label on; the whole (small) table 四; else the table's start."""
    start, end = work.section.body_start, work.section.end
    span = row_span(doc, work, row)
    if span is None and work.table == "review_litigation":
        return " ".join(doc.view[start:end].split())
    begin = span[0] if span else start
    return " ".join(doc.view[begin:min(end, begin + SNIPPET)].split())
