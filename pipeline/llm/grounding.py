"""Grounding: an LLM number counts only if it occurs in its quote and the quote in the source.

Quotes are looked up in `Document.view` (the text the model was shown: normalised, same length
as the source for plain text), first within the chunk the model saw, then anywhere, tolerating
whitespace differences; spans are returned as source offsets.
"""

from __future__ import annotations

import re

from pipeline.core import Document, normalise

NUMBER = re.compile(r"(?<![\d.])[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])[+-]?\d+(?:\.\d+)?")
MAX_QUOTE = 400


def numbers_in(text: str) -> list[float]:
    """Every number written in `text` (full-width digits and thousands separators allowed)."""
    return [float(m.group().replace(",", "")) for m in NUMBER.finditer(normalise(text))]


def number_in(value: float, text: str) -> bool:
    """True when `value` is written in `text` (sign ignored: "+57" and "-13" carry 57 and 13)."""
    return any(abs(abs(n) - abs(value)) < 1e-9 for n in numbers_in(text))


def locate(doc: Document, quote: str, window: tuple[int, int] | None = None, anywhere: bool = True
           ) -> tuple[int, int] | None:
    """Source span of `quote`, preferring a match inside `window` (view offsets); None if absent."""
    view_span = locate_view(doc, quote, window, anywhere)
    return None if view_span is None else doc.to_source(*view_span)


def locate_view(doc: Document, quote: str, window: tuple[int, int] | None = None, anywhere: bool = True
                ) -> tuple[int, int] | None:
    """View span of `quote` inside `window`, else (if `anywhere`) elsewhere in the document."""
    needle = normalise(quote).strip()
    if not needle or len(needle) > MAX_QUOTE:
        return None
    areas: list[tuple[int, int] | None] = [window] if window is not None else []
    if anywhere or window is None:
        areas.append(None)
    for area in areas:
        start, end = area if area is not None else (0, len(doc.view))
        found = doc.view.find(needle, start, end)
        if found >= 0:
            return found, found + len(needle)
        match = _loose(needle).search(doc.view, start, end)
        if match:
            return match.start(), match.end()
    return None


def _loose(needle: str) -> re.Pattern[str]:
    """The quote with any run of whitespace allowed between its characters."""
    chars = [re.escape(c) for c in needle if not c.isspace()]
    return re.compile(r"\s*".join(chars))
