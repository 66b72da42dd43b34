"""Chunks for the LLM: by section first, then by a token budget on paragraph boundaries.

A table's section is one chunk unless the table alone exceeds the budget. Offsets are view
offsets (`Document.view`), which is also the text the model is shown, so a quote found in the
view maps back to the source with `Document.to_source`.
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


@dataclass(frozen=True)
class Chunk:
    section: str  # SPEC section key
    title: str  # the section's heading as written
    text: str  # doc.view[start:end]
    start: int
    end: int
    tokens: int


def section_chunks(doc: Document, section: Section, budget: int, model: str | None = None) -> list[Chunk]:
    """Chunks of one section's body; a table section stays whole when it fits the budget."""
    start, end = _trimmed(doc.view, section.body_start, section.end)
    if start >= end:
        return []
    spans = list(_pack(doc.view, _pieces(doc.view, start, end, budget, model), budget, model))
    return [_chunk(doc, section, s, e, model) for s, e in spans]


def prose_chunks(doc: Document, sections: list[Section], budget: int, model: str | None = None) -> list[Chunk]:
    """Chunks of the prose sections worth asking about: the problems, and any text with a number."""
    chunks: list[Chunk] = []
    for section in sections:
        if section.key not in PROSE_KEYS:
            continue
        for chunk in section_chunks(doc, section, budget, model):
            if section.key == "problems" or _DIGIT.search(chunk.text):
                chunks.append(chunk)
    return chunks


def _chunk(doc: Document, section: Section, start: int, end: int, model: str | None) -> Chunk:
    text = doc.view[start:end]
    return Chunk(section.key, section.title, text, start, end, count_text(text, model))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, budget: int, model: str | None) -> Iterator[tuple[int, int]]:
    """Paragraph spans; a paragraph over the budget is cut at sentence ends, then by length."""
    if count_text(text[start:end], model) <= budget:
        yield start, end
        return
    for para in _spans(_PARAGRAPH, text, start, end):
        if count_text(text[para[0]:para[1]], model) <= budget:
            yield para
            continue
        for sentence in _spans(_SENTENCE, text, *para):
            yield from _hard_split(text, *sentence, budget, model)


def _spans(pattern: re.Pattern[str], text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(text, start, end):
        if match.end() > match.start():
            yield match.start(), match.end()


def _hard_split(text: str, start: int, end: int, budget: int, model: str | None) -> Iterator[tuple[int, int]]:
    while start < end:
        cut = end
        while cut > start + 1 and count_text(text[start:cut], model) > budget:
            cut = start + (cut - start) * 3 // 4
        yield start, cut
        start = cut


def _pack(text: str, pieces: Iterator[tuple[int, int]], budget: int, model: str | None) -> Iterator[tuple[int, int]]:
    """Greedily join consecutive pieces while their summed token counts fit the budget."""
    current: tuple[int, int] | None = None
    used = 0
    for start, end in pieces:
        tokens = count_text(text[start:end], model)
        if current is not None and used + tokens <= budget:
            current, used = (current[0], end), used + tokens
            continue
        if current is not None:
            yield _trimmed(text, *current)
        current, used = (start, end), tokens
    if current is not None:
        yield _trimmed(text, *current)
