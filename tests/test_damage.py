"""Damaged input never crashes the extractor: truncated, shuffled, re-digited, flattened, noisy and
malformed reports give a record or a clear `NianbaoError` (a small, seeded version of the fuzzing)."""

from __future__ import annotations

import random

import pytest

from pipeline.core import NianbaoError
from pipeline.extract import extract_document
from pipeline.ingest import ingest_bytes
from tests.conftest import SAMPLE_NAMES, SAMPLES


def _damage(text: str, kind: str, rng: random.Random) -> str:
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


@pytest.mark.parametrize("kind", ["truncated", "lines-dropped", "lines-shuffled", "digits-changed", "one-line", "noise"])
def test_damaged_samples_give_a_record_or_a_clear_error(kind):
    rng = random.Random(kind)
    for name in SAMPLE_NAMES:
        text = _damage((SAMPLES / name).read_text(encoding="utf-8"), kind, rng)
        try:
            record = extract_document(ingest_bytes(name, text.encode("utf-8")))
        except NianbaoError:
            continue
        assert record.source.name == name


@pytest.mark.parametrize("html", [
    pytest.param("<html><body><![if !supportLists]><p>一、总体情况</p><![i <table><tr><td>1", id="bad-marked-section"),
    pytest.param("<table><tr><td rowspan=99999 colspan=abc>规章</td><td>0</td></tr>", id="absurd-spans"),
    pytest.param("<table>" * 50 + "<tr><td>行政许可</td><td>5</td></tr>", id="unclosed-nesting"),
])
def test_malformed_html(html):
    try:
        record = extract_document(ingest_bytes("p.html", html.encode("utf-8")))
    except NianbaoError:
        return
    assert record.source.name == "p.html"
