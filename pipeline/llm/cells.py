"""Cell-level asks and their grounding: a whole table, the missing cells of a partly read one,
and the validator-driven re-asks.

Every number the LLM gives for a cell comes with a quote, and is kept only when
- the cell is one the parser left null (a parsed cell is never overwritten; a different LLM value
  is an `llm.disagreement` finding) and not one of a row the parser found `tables.ambiguous`
  (values printed with their blanks dropped: no printed cell says which column a value is in),
- the quote occurs in the table's region of the source (where it first occurs there; whitespace
  may differ),
- for tables 二 and 三, the quote holds the row's label and the number comes after it with no
  other row's label in between (table 四's rows are often printed as one line: its region only),
- inside the quote the number is printed as a cell of its own (bounded by whitespace, a `|` or a
  box-drawing rule, or followed by 元/万元) at a place no other cell, parsed or LLM, stands on.
That place becomes the cell's provenance. So a `0` needs a printed `0` of its own, a blank stays
null, and a number from a sentence (`total=999`) or from another section is never a cell.
Anything else is rejected with an `llm.rejected` finding and the cell stays as the parser read it.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core import Document, normalise
from pipeline.llm.chunking import section_chunks
from pipeline.llm.client import LlmClient
from pipeline.llm.compact import Compact
from pipeline.llm.grounding import NUMBER, locate_view
from pipeline.llm.labels import ROWS, TITLES, describe
from pipeline.llm.prompts import PromptFile, fence
from pipeline.llm.tables import TableWork, disagreement, row_span, table_errors, template_of
from schemas.record import Finding, LlmCell, SpanOut

SNIPPET = 160
RULES = "|│┃┆┊"
Validate = Callable[[TableWork], list[Finding]]


class CellAnswer(Compact):
    path: str
    value: float | None
    quote: str = ""


class CellAnswers(Compact):
    cells: list[CellAnswer] = []


def ask_whole(work: TableWork, client: LlmClient, prompt: PromptFile, doc: Document, budget: int) -> None:
    """Ask for every unread cell of the table, chunk by chunk if it exceeds the budget."""
    for chunk in section_chunks(doc, work.section, budget, client.model):
        paths = [p for p, v in work.state.items() if v is None and p not in work.unsettled]
        if not paths:
            return
        messages = prompt.render("whole", tag=work.table, table_title=TITLES[work.table],
                                 template_year=template_of(work.model), cells=_paths_text(paths),
                                 chunk=fence(chunk.text))
        _apply_all(work, doc, client.ask(messages, CellAnswers, prompt), paths, attempt=1)


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
    _apply_all(work, doc, client.ask(messages, CellAnswers, prompt), paths, attempt)


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


def _apply_all(work: TableWork, doc: Document, reply: CellAnswers, paths: list[str], attempt: int) -> None:
    seen: set[str] = set()
    for answer in reply.cells:
        if answer.path in paths and answer.path not in seen:
            seen.add(answer.path)
            apply_answer(work, doc, answer, attempt)


def apply_answer(work: TableWork, doc: Document, answer: CellAnswer, attempt: int) -> None:
    path = answer.path
    parsed = work.det.get(path)
    if parsed is not None:  # never overwritten
        if answer.value is not None and abs(float(answer.value) - float(parsed)) > 1e-9:
            work.findings.append(disagreement(path, parsed, answer.value))
        return
    _restore(work, path)  # a re-ask releases the place the cell stood on
    if answer.value is None or path in work.unsettled:  # an ambiguous row's cell has no printed place
        return
    amount = path.endswith("amount_wan")
    found = _cell_span(doc, work, path, answer.quote, answer.value, amount)
    if found is None:
        work.findings.append(Finding(
            rule="llm.rejected", severity="warning", cells=[path], found=float(answer.value),
            message=f"llm.rejected: {path} = {answer.value:g}, but its quote {answer.quote[:80]!r} is not in the "
                    "table's source (after the row's label) or does not print that number as a cell of its own; "
                    "the cell stays null"))
        return
    (start, end), quote = found
    work.state[path] = int(answer.value) if float(answer.value).is_integer() and not amount else answer.value
    work.cells[path] = LlmCell(attempts=attempt, quote=quote)
    work.provenance[path] = SpanOut(start=start, end=end)


def _restore(work: TableWork, path: str) -> None:
    work.state[path] = work.det.get(path)
    work.cells.pop(path, None)
    work.provenance.pop(path, None)


def _row_labels(work: TableWork, path: str) -> tuple[str, list[str]]:
    """The label a quote for `path` must hold, and the other rows' labels ("" for table 四)."""
    if work.table == "review_litigation":
        return "", []
    rows = {p.split(".")[1] for p in work.det}
    label = ROWS.get(path.split(".")[1], ("", ""))[1]
    return label, sorted({ROWS[r][1] for r in rows if r in ROWS and ROWS[r][1] != label})


def _cell_span(doc: Document, work: TableWork, path: str, quote: str, value: float, amount: bool
               ) -> tuple[tuple[int, int], str] | None:
    """Source span of a free printed cell holding `value` inside the quote, and the quote as found."""
    view_span = locate_view(doc, quote, (work.section.body_start, work.section.end), anywhere=False)
    if view_span is None:
        return None
    taken = work.taken + [(s.start, s.end) for s in work.provenance.values()]
    base, text = view_span[0], normalise(doc.view[view_span[0]:view_span[1]])
    label, others = _row_labels(work, path)
    after = text.find(label) + len(label) if label else 0
    if label and after < len(label):
        return None
    for match in NUMBER.finditer(text, after):
        start, end = base + match.start(), base + match.end()
        if any(o in text[after:match.start()] for o in others):
            break  # past the next row's label
        unit = next((u for u in ("万元", "元") if doc.view.startswith(u, end)), "")
        number = abs(float(match.group().replace(",", "")))
        scale = 10000 if unit == "元" else 1
        if not (abs(number - abs(value) * scale) < 1e-6 and (scale == 1 or amount)):
            continue
        if not _stands_alone(doc.view, start, end, unit):
            continue
        span = doc.to_source(start, end + len(unit))
        if not any(span[0] < e and s < span[1] for s, e in taken):
            return span, doc.view[view_span[0]:view_span[1]]
    return None


def _stands_alone(view: str, start: int, end: int, unit: str) -> bool:
    """True when the number is a cell of its own: bounded by whitespace, rules or a unit."""
    left = view[start - 1] if start > 0 else "\n"
    right = view[end] if end < len(view) else "\n"
    return (left.isspace() or left in RULES) and (bool(unit) or right.isspace() or right in RULES)


def _paths_text(paths: list[str]) -> str:
    """The cells to fill, one line per row: `applications.granted: natural_person（自然人）, ...`."""
    rows: dict[str, list[str]] = {}
    for path in paths:
        table, row, name = path.split(".")
        rows.setdefault(f"{table}.{row}", []).append(f"{name}（{describe(path).split(' / ')[1]}）")
    return "\n".join(f"- {row}（{describe(row + '.x').split(' / ')[0]}）: {', '.join(names)}"
                     for row, names in rows.items())


def _cells_text(work: TableWork, doc: Document, paths: list[str]) -> str:
    """The cells grouped by row, each row once with its source snippet (fenced as data)."""
    lines: list[str] = []
    shown: set[str] = set()
    for row in dict.fromkeys(p.split(".")[1] for p in paths):
        snippet = _snippet(doc, work, row)
        if snippet not in shown:
            shown.add(snippet)
            lines.append("原文片段：\n" + fence(snippet))
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
