"""Chunks for the LLM: by section first, then by a token budget on paragraph boundaries.

A table's section is one chunk unless the table alone exceeds the budget. A prose chunk holds
the section's sentences that state a quantity (a sentence whose only digits are dates, years,
ordinals or document numbers has no fact or claim to give), except in `problems`, which is sent
whole. Requests then carry one or more whole
chunks up to the same budget, each under its section heading. Offsets are view offsets
(`Document.view`, the text the model is shown); `Document.to_source` maps them back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.core import Document, Section
from pipeline.llm.tokens import count_text

TABLE_KEYS = ("active_disclosure", "applications", "review_litigation")
PROSE_KEYS = ("overview", "problems", "other")
_PARAGRAPH = re.compile(r"[^\n]*(?:\n|$)")
_SENTENCE = re.compile(r"[^。；;！!？?]*[。；;！!？?]?")
_DIGIT = re.compile(r"\d")
_CLAUSE = re.compile(r"[^。；;！!？?\n]*[。；;！!？?]?")
_NOT_QUANTITY = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|第\s*\d+|[〔\[(（]\s*\d{4}\s*[〕\])）]|\d+号"
                           r"|\d{4}[-/.]\d{1,2}|\d{7,}")
Span = tuple[int, int]


@dataclass(frozen=True)
class Chunk:
    section: str  # SPEC section key
    title: str  # the section's heading as written
    spans: tuple[Span, ...]  # view spans of the paragraphs it holds, in order
    text: str  # those paragraphs, joined by newlines
    tokens: int

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


def section_chunks(doc: Document, section: Section, budget: int, model: str | None = None,
                   numbers_only: bool = False) -> list[Chunk]:
    """Chunks of one section's body; whole when it fits the budget (a table stays in one piece)."""
    start, end = _trimmed(doc.view, section.body_start, section.end)
    if start >= end:
        return []
    if numbers_only:
        pieces = [piece for sentence in _spans(_CLAUSE, doc.view, start, end) if _states_quantity(doc.view, *sentence)
                  for piece in _hard_split(doc.view, *sentence, budget, model)]
    else:
        pieces = list(_pieces(doc.view, start, end, budget, model))
    return [_chunk(doc, section, group, model) for group in _pack(pieces, budget)]


def prose_chunks(doc: Document, sections: list[Section], budget: int, model: str | None = None) -> list[Chunk]:
    """Chunks of the prose sections: `problems` whole, the others only where they state numbers."""
    chunks: list[Chunk] = []
    for section in sections:
        if section.key in PROSE_KEYS:
            chunks += section_chunks(doc, section, budget, model, numbers_only=section.key != "problems")
    return chunks


def pack_requests(chunks: list[Chunk], budget: int) -> list[list[Chunk]]:
    """Whole chunks grouped, in order, into requests of at most `budget` chunk tokens."""
    groups: list[list[Chunk]] = []
    used = 0
    for chunk in chunks:
        if groups and used + chunk.tokens <= budget:
            groups[-1].append(chunk)
            used += chunk.tokens
        else:
            groups.append([chunk])
            used = chunk.tokens
    return groups


def _states_quantity(text: str, start: int, end: int) -> bool:
    return bool(_DIGIT.search(_NOT_QUANTITY.sub("", text[start:end])))


def _chunk(doc: Document, section: Section, group: list[tuple[int, int, int]], model: str | None) -> Chunk:
    spans = _merge_adjacent([(s, e) for s, e, _ in group], doc.view)
    text = "\n".join(doc.view[s:e] for s, e in spans)
    return Chunk(section.key, section.title.strip(), tuple(spans), text, count_text(text, model))


def _merge_adjacent(spans: list[Span], view: str) -> list[Span]:
    out: list[Span] = []
    for start, end in spans:
        if out and not view[out[-1][1]:start].strip():
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, budget: int, model: str | None) -> Iterator[tuple[int, int, int]]:
    """(start, end, tokens) of paragraphs; one over the budget is cut at sentence ends, then by length."""
    whole = count_text(text[start:end], model)
    if whole <= budget:
        yield start, end, whole
        return
    for para in _spans(_PARAGRAPH, text, start, end):
        tokens = count_text(text[para[0]:para[1]], model)
        if tokens <= budget:
            yield para[0], para[1], tokens
            continue
        for sentence in _spans(_SENTENCE, text, *para):
            yield from _hard_split(text, *sentence, budget, model)


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> Iterator[Span]:
    for match in pattern.finditer(text, start, end):
        span = _trimmed(text, match.start(), match.end())
        if span[1] > span[0]:
            yield span


def _hard_split(text: str, start: int, end: int, budget: int, model: str | None) -> Iterator[tuple[int, int, int]]:
    while start < end:
        cut = end
        while cut > start + 1 and count_text(text[start:cut], model) > budget:
            cut = start + (cut - start) * 3 // 4
        yield start, cut, count_text(text[start:cut], model)
        start = cut


def _pack(pieces: list[tuple[int, int, int]], budget: int) -> list[list[tuple[int, int, int]]]:
    """Consecutive pieces grouped while their token counts (plus a separator each) fit the budget."""
    groups: list[list[tuple[int, int, int]]] = []
    used = 0
    for piece in pieces:
        if groups and used + 1 + piece[2] <= budget:
            groups[-1].append(piece)
            used += 1 + piece[2]
        else:
            groups.append([piece])
            used = piece[2]
    return groups
