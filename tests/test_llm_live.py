"""Seed 003 through a real model: recorded once against a real endpoint, replayed offline after.

Record (the one command, also in cassettes/README.md):

    NIANBAO_LIVE=1 OPENAI_BASE_URL=https://api.example.com/v1 OPENAI_API_KEY=sk-... \\
        NIANBAO_MODEL=gpt-4o-mini pytest tests/test_llm_live.py --record-mode=rewrite

That writes cassettes/test_live_seed.yaml (secret headers filtered) and test_live_seed.json (the
model, mode and endpoint path needed to replay it). Without NIANBAO_LIVE the test replays that
cassette, and is skipped while none has been recorded: no model was run for this project yet.
The assertions hold for any model's answers: everything kept is grounded, and the 720/787 =
91.36% claim of seed 003 (really 91.49%) is caught.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pipeline.config import Config
from pipeline.llm import enrich
from schemas.record import Record

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
META = CASSETTES / "test_live_seed.json"
LIVE = os.environ.get("NIANBAO_LIVE") == "1"


def live_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    if LIVE:
        config = Config.from_env(use_cache=False, cache_dir=tmp_path)
        if not config.model:
            pytest.fail("NIANBAO_LIVE=1 needs NIANBAO_MODEL (and OPENAI_API_KEY, OPENAI_BASE_URL)")
        path = urlsplit(config.base_url or "https://api.openai.com/v1").path
        META.write_text(json.dumps({"model": config.model, "mode": config.mode, "path": path}, indent=1) + "\n",
                        encoding="utf-8")
        return config
    if not META.exists():
        pytest.skip("no live cassette recorded yet (see cassettes/README.md for the command)")
    meta = json.loads(META.read_text(encoding="utf-8"))
    monkeypatch.setenv("OPENAI_API_KEY", "replay-needs-no-key")
    return Config(model=meta["model"], mode=meta["mode"], base_url="http://127.0.0.1:9" + meta["path"],
                  use_cache=False, cache_dir=tmp_path)


@pytest.mark.vcr
def test_live_seed(vcr: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.extract import extract_document
    from pipeline.ingest import ingest
    from pipeline.sections import find_sections

    config = live_config(tmp_path, monkeypatch)
    doc = ingest(ROOT / "samples" / "003_a929f22f00d6b349.txt")
    record = extract_document(doc, Config())
    record.findings = [f for f in record.findings if not f.rule.startswith("narrative.")]
    out = enrich(record, doc, find_sections(doc), config)
    Record.model_validate(out.model_dump())
    assert out.llm is not None and out.llm.usage.calls >= 1 and out.llm.usage.prompt_tokens > 0
    assert not [f.message for f in out.findings if f.rule == "llm.failed"]
    assert all(doc.text[f.start:f.end] == f.quote for f in out.facts)
    percents = [(f.expected, f.found) for f in out.findings if f.rule == "narrative.percent"]
    assert (91.49, 91.36) in percents, f"the model's claims did not catch 720/787 = 91.36%: {percents}"
