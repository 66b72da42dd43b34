"""Shared fixtures: the bundled sample reports and a builder for documents from text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import Document
from pipeline.ingest import ingest_bytes

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = ROOT / "evals" / "gold"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.glob("*.txt"))


@pytest.fixture(scope="session")
def vcr_cassette_dir() -> str:
    """pytest-recording: every cassette lives in the top-level cassettes/ folder."""
    return str(ROOT / "cassettes")


@pytest.fixture(scope="session")
def vcr_config() -> dict:
    """pytest-recording: secrets filtered, requests matched on their body too (see cassettes/README.md)."""
    from tests.llm_server import vcr_config as llm_vcr_config

    return llm_vcr_config()


@pytest.fixture
def make_doc():
    def _make(text: str, name: str = "report.txt") -> Document:
        return ingest_bytes(name, text.encode("utf-8"))

    return _make


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
