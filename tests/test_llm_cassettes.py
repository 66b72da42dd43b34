"""The LLM layer end to end through the real openai client and instructor, replayed from cassettes.

Cassettes (top-level cassettes/) were recorded against the scripted server of `llm_server.py`
on 127.0.0.1, which answers from the scripts below, wrong answers and errors included. Replay
(`record_mode` none, the default) needs no server and no network; requests are matched on
method, path and body, so a changed prompt or schema fails loudly. Re-record with
`pytest tests/test_llm_cassettes.py --record-mode=rewrite` (see cassettes/README.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Config
from pipeline.core import Document, Section
from pipeline.llm import enrich
from schemas.record import Fact, Record, ReviewLitigation, Source
from tests.llm_server import Rule, ScriptedServer, answer, status, text

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
KEY = "sk-nianbao-test-DO-NOT-LEAK-7f3a9c1e"
MODEL = "scripted-test-model"


@pytest.fixture(autouse=True)
def fresh_breakers() -> None:
    from pipeline.llm.breaker import reset

    reset()


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return KEY


def config(server: ScriptedServer, tmp_path: Path, **overrides: Any) -> Config:
    values: dict[str, Any] = {"model": MODEL, "base_url": server.base_url, "cache_dir": tmp_path / "cache",
                              "use_cache": False, "concurrency": 2, "max_retries": 2, "max_reasks": 2,
                              "backoff_base_s": 0.0, "breaker_failures": 10}
    values.update(overrides)
    return Config(**values)


def sent(vcr: Any) -> list[str]:
    """Request bodies in the cassette (recorded now, or being replayed)."""
    return [r.body.decode("utf-8") if isinstance(r.body, bytes) else str(r.body) for r in vcr.requests]


def http_calls(vcr: Any, server: ScriptedServer) -> int:
    """HTTP requests so far: served by the scripted server when recording, replayed otherwise."""
    return len(server.requests) if vcr.record_mode != "none" else vcr.play_count


# ---- hand-made reports ---------------------------------------------------------------------------

RL_TABLE = """四、政府信息公开行政复议、行政诉讼情况
行政复议 结果维持 结果纠正 其他结果 尚未审结 总计
2 1 0 0 3
行政诉讼 未经复议直接起诉 结果维持 结果纠正 其他结果 尚未审结 总计
1 0 0 0 1
复议后起诉 结果维持 结果纠正 其他结果 尚未审结 总计
0 0 0 0 0
"""
OVERVIEW = """一、总体情况
2021年，全年累计发布政府信息1,204条，其中政策解读46篇。办理人大代表建议15件、政协提案9件。
"""
PROBLEMS = """五、存在的主要问题及改进情况
一是公开内容不够全面。二是政策解读形式单一。
"""
HEADINGS = {"overview": "一、总体情况", "review_litigation": "四、政府信息公开", "problems": "五、存在的主要问题"}


def hand_doc(*parts: str) -> tuple[Document, list[Section]]:
    text = "某县人民政府2021年政府信息公开工作年度报告\n" + "".join(parts)
    doc = Document(name="hand.txt", text=text, sha256="0")
    found = sorted((doc.view.find(h), key, h) for key, h in HEADINGS.items() if h in doc.view)
    sections = []
    for i, (start, key, _) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(doc.view)
        body = doc.view.index("\n", start) + 1
        sections.append(Section(key=key, title=doc.view[start:body - 1], start=start, end=end, body_start=body))
    return doc, sections


def hand_record(doc: Document, review_litigation: ReviewLitigation | None = None, facts: list[Fact] | None = None
                ) -> Record:
    return Record(source=Source(name=doc.name, sha256=doc.sha256), review_litigation=review_litigation,
                  facts=facts or [])


def rl_with_review(**review: int | None) -> ReviewLitigation:
    zeros = {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}
    return ReviewLitigation.model_validate({"review": review, "litigation_direct": {**zeros, "upheld": 1, "total": 1},
                                            "litigation_after_review": zeros})


def narrative_reply(extra_fact: dict[str, Any] | None = None) -> dict[str, Any]:
    facts = [{"subject": "发布政府信息", "value": 1204, "unit": "条", "quote": "全年累计发布政府信息1,204条"},
             {"subject": "政策解读", "value": 46, "unit": "篇", "quote": "其中政策解读46篇"}]
    return {"facts": facts + ([extra_fact] if extra_fact else []),
            "problems": ["公开内容不够全面", "政策解读形式单一"], "percents": [], "parts": [], "table_refs": []}


# ---- seed 003 through the LLM path -------------------------------------------------------------------


def seed_003() -> tuple[Document, list[Section], Record]:
    from pipeline.extract import extract_document
    from pipeline.ingest import ingest
    from pipeline.sections import find_sections

    doc = ingest(ROOT / "samples" / "003_a929f22f00d6b349.txt")
    record = extract_document(doc, Config())
    # Drop the offline finder's narrative findings: whatever narrative finding remains came from the LLM.
    record.findings = [f for f in record.findings if not f.rule.startswith("narrative.")]
    return doc, find_sections(doc), record


SEED_003_REPLY = {
    "facts": [
        {"subject": "全年累计发布信息", "value": 1204, "unit": "条", "quote": "全年累计发布信息1204条"},
        {"subject": "依申请政务服务事项", "value": 787, "unit": "项", "quote": "市级787项依申请政务服务事项中"},
        {"subject": "实现“网上可办”", "value": 720, "unit": "项", "quote": "720项实现“网上可办”"},
        {"subject": "占比", "value": 91.36, "unit": "%", "quote": "占比达到91.36%"},
        {"subject": "接通率", "value": 95.87, "unit": "%", "quote": "接通率95.78%"},  # not in its quote
        {"subject": "来电", "value": 221903, "unit": "件", "quote": "共收到群众来电221903件"},  # not in the source
    ],
    "problems": ["思想认识不深刻", "政策解读内容少，形式单一"],
    "percents": [{"part": 720, "whole": 787, "percent": 91.36,
                  "quote": "市级787项依申请政务服务事项中，720项实现“网上可办”，占比达到91.36%"}],
    "parts": [],
    "table_refs": [{"cell": "其他对外管理服务事项", "value": 1373, "quote": "其他对外管理服务事项信息1373项"}],
}


@pytest.mark.vcr
def test_narrative_of_seed_003(vcr: Any, tmp_path: Path) -> None:
    doc, sections, record = seed_003()
    with ScriptedServer([Rule("720项实现", [answer(SEED_003_REPLY)])]) as server:
        out = enrich(record, doc, sections, config(server, tmp_path))
    percent = [f for f in out.findings if f.rule == "narrative.percent"]
    assert [(f.expected, f.found) for f in percent] == [(91.49, 91.36)]
    agreement = [f for f in out.findings if f.rule == "narrative.table_agreement"]
    assert [(f.cells, f.expected, f.found) for f in agreement] == [(["active_disclosure.other_services.decisions"],
                                                                   1375.0, 1373.0)]
    overview = {f.value for f in out.facts if f.section == "overview"}
    assert {1204, 787, 720, 91.36} <= overview and 95.87 not in overview
    assert not [f for f in out.facts if f.subject == "来电"]  # its quote is not in the source
    assert all(f in out.facts for f in record.facts)  # the rule-based facts stay
    assert all(doc.text[f.start:f.end] == f.quote for f in out.facts)
    assert out.problems[:len(record.problems)] == record.problems
    assert out.llm is not None and out.llm.prompt_version == "narrative.v2+table.v2" and out.llm.status == "ok"
    usage = out.llm.usage
    assert (usage.calls, usage.failed_calls, usage.dropped_ungrounded_facts) == (1, 0, 2)
    assert usage.prompt_tokens > 1000 and usage.completion_tokens > 0
    assert [f.rule for f in out.findings if f.rule.startswith("llm.")] == ["llm.dropped"]
    Record.model_validate(out.model_dump())


# ---- table fallback and re-asks -------------------------------------------------------------------------


@pytest.mark.vcr
def test_table_answer_breaking_a_rule_is_fixed_on_reask(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(RL_TABLE.replace("2 1 0 0 3\n", "2 1 0 0 3\n- 5 -\n"))  # a page number inside
    rows = {"review": "2 1 0 0 3", "litigation_direct": "1 0 0 0 1", "litigation_after_review": "0 0 0 0 0"}
    values = {"review": [2, 1, 0, 0, 3], "litigation_direct": [1, 0, 0, 0, 1], "litigation_after_review": [0] * 5}
    wrong = {"cells": [{"path": f"review_litigation.{row}.{name}", "value": values[row][i], "quote": rows[row]}
                       for row in rows for i, name in enumerate(("upheld", "corrected", "other", "pending", "total"))]}
    wrong["cells"][4].update(value=5, quote="- 5 -")  # the review total read off the page number
    fixed = {"cells": [{"path": "review_litigation.review.total", "value": 3, "quote": "2 1 0 0 3"}]}
    rules = [Rule("未通过校验", [answer(fixed)]), Rule("请填写下列单元格", [answer(wrong)])]
    with ScriptedServer(rules) as server:
        out = enrich(hand_record(doc), doc, sections, config(server, tmp_path))
    assert out.review_litigation is not None and out.review_litigation.review.total == 3
    assert not [f for f in out.findings if f.rule == "review_litigation.group_total"]
    assert out.llm is not None
    cell = out.llm.cells["review_litigation.review.total"]
    assert (cell.attempts, cell.quote) == (2, "2 1 0 0 3")
    assert out.llm.cells["review_litigation.review.upheld"].attempts == 1
    span = out.provenance["review_litigation.review.total"]
    assert doc.text[span.start:span.end] == "3"
    reask = [b for b in sent(vcr) if "未通过校验" in b]
    assert len(reask) == 1 and "review_litigation.group_total" in reask[0] and "expected 3" in reask[0]
    assert "复议后起诉" not in reask[0].split("未通过校验")[1].split("原文片段")[0]  # only the failing group
    assert out.llm.usage.calls == 2


@pytest.mark.vcr
def test_reasked_number_not_in_its_quote_is_rejected(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(RL_TABLE)
    record = hand_record(doc, rl_with_review(upheld=2, corrected=1, other=0, pending=0, total=None))
    first = {"cells": [{"path": "review_litigation.review.total", "value": 1, "quote": "1 0 0 0 1"}]}
    cheat = {"cells": [{"path": "review_litigation.review.total", "value": 3, "quote": "结果维持 结果纠正"}]}
    rules = [Rule("未通过校验", [answer(cheat)], repeat=True), Rule("未能读出", [answer(first)])]
    with ScriptedServer(rules) as server:
        out = enrich(record, doc, sections, config(server, tmp_path, max_reasks=1))
    assert out.review_litigation is not None and out.review_litigation.review.total is None
    assert out.llm is not None and "review_litigation.review.total" not in out.llm.cells
    rejected = [f for f in out.findings if f.rule == "llm.rejected"]
    assert [f.cells for f in rejected] == [["review_litigation.review.total"]]
    assert out.llm.usage.calls == 2


# ---- transport and format failures -----------------------------------------------------------------------


@pytest.mark.vcr
def test_invalid_json_then_a_valid_answer(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(OVERVIEW, PROBLEMS)
    rules = [Rule("政策解读46篇", [text('{"facts": [{"subject": "发布政府信息", "value": 1204,'),
                                   answer(narrative_reply())])]
    with ScriptedServer(rules) as server:
        out = enrich(hand_record(doc), doc, sections, config(server, tmp_path))
    assert [f.value for f in out.facts] == [1204, 46]
    assert out.problems == ["公开内容不够全面", "政策解读形式单一"]
    assert out.llm is not None
    usage = out.llm.usage
    assert (usage.calls, usage.failed_calls) == (2, 1)
    bodies = sent(vcr)
    assert "无法解析" in bodies[1] and "无法解析" not in bodies[0]
    assert usage.prompt_tokens > 2 * 300  # both attempts counted, the failed one included


@pytest.mark.vcr
def test_rate_limited_then_success(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(OVERVIEW, PROBLEMS)
    rules = [Rule("政策解读46篇", [status(429, retry_after="0"), answer(narrative_reply())])]
    with ScriptedServer(rules) as server:
        out = enrich(hand_record(doc), doc, sections, config(server, tmp_path))
    assert [f.value for f in out.facts] == [1204, 46]
    assert out.llm is not None
    assert (out.llm.usage.calls, out.llm.usage.failed_calls) == (2, 1)
    assert not [f for f in out.findings if f.rule == "llm.failed"]


@pytest.mark.vcr
def test_a_chunk_failing_every_attempt_becomes_a_finding(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(OVERVIEW, RL_TABLE, PROBLEMS)
    offline = Fact(section="overview", subject="政策解读", value=46, unit="篇", quote="46篇",
                   start=doc.text.index("46篇"), end=doc.text.index("46篇") + 3)
    record = hand_record(doc, rl_with_review(upheld=2, corrected=1, other=0, pending=0, total=None), [offline])
    table = {"cells": [{"path": "review_litigation.review.total", "value": 3, "quote": "2 1 0 0 3"}]}
    rules = [Rule("政策解读46篇", [status(500)], repeat=True), Rule("未能读出", [answer(table)])]
    with ScriptedServer(rules) as server:
        out = enrich(record, doc, sections, config(server, tmp_path))
    failed = [f for f in out.findings if f.rule == "llm.failed"]
    assert len(failed) == 1 and failed[0].severity == "warning" and "HTTP 500" in failed[0].message
    assert out.facts == [offline]  # the offline facts stay where the LLM failed
    assert out.review_litigation is not None and out.review_litigation.review.total == 3  # the rest went on
    assert out.llm is not None and out.llm.status == "partial"
    assert (out.llm.usage.calls, out.llm.usage.failed_calls) == (4, 3)  # 1 + max_retries attempts, then the table


@pytest.mark.vcr
def test_tools_mode(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(OVERVIEW, PROBLEMS)
    with ScriptedServer([Rule("政策解读46篇", [answer(narrative_reply())])]) as server:
        out = enrich(hand_record(doc), doc, sections, config(server, tmp_path, mode="tools"))
    assert [f.value for f in out.facts] == [1204, 46]
    assert '"tools"' in sent(vcr)[0]


# ---- cache --------------------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_cached_second_run_makes_no_http_call(vcr: Any, tmp_path: Path) -> None:
    doc, sections = hand_doc(OVERVIEW, RL_TABLE, PROBLEMS)
    record = hand_record(doc, rl_with_review(upheld=2, corrected=1, other=0, pending=0, total=None))
    first = {"cells": [{"path": "review_litigation.review.total", "value": 1, "quote": "1 0 0 0 1"}]}
    fixed = {"cells": [{"path": "review_litigation.review.total", "value": 3, "quote": "2 1 0 0 3"}]}
    rules = [Rule("未通过校验", [answer(fixed)]), Rule("未能读出", [answer(first)]),
             Rule("政策解读46篇", [answer(narrative_reply())])]
    with ScriptedServer(rules) as server:
        cfg = config(server, tmp_path, use_cache=True)
        one = enrich(record, doc, sections, cfg)
        calls = http_calls(vcr, server)
        two = enrich(record, doc, sections, cfg)
        assert http_calls(vcr, server) == calls == 3
    assert one.llm is not None and two.llm is not None
    assert (one.llm.usage.calls, one.llm.usage.cache_misses, one.llm.usage.cache_hits) == (3, 3, 0)
    assert two.llm.usage.model_dump() == {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cache_hits": 3,
                                          "cache_misses": 0, "failed_calls": 0, "dropped_ungrounded_facts": 0}
    assert two.findings == one.findings and two.facts == one.facts and two.llm.cells == one.llm.cells
    assert two.review_litigation == one.review_litigation
    _assert_no_key(tmp_path / "cache")
    assert KEY not in two.model_dump_json()


def _assert_no_key(directory: Path) -> None:
    files = [p for p in directory.rglob("*") if p.is_file()]
    assert files, f"nothing written under {directory}"
    for path in files:
        assert KEY.encode() not in path.read_bytes(), f"API key found in {path}"


def test_api_key_never_in_cassettes() -> None:
    _assert_no_key(CASSETTES)
    for path in CASSETTES.glob("*.yaml"):
        content = path.read_text(encoding="utf-8").lower()
        assert "bearer" not in content and "authorization" not in content, path


def test_every_cassette_is_used() -> None:
    names = {p.stem for p in CASSETTES.glob("*.yaml")}
    tests = {name for name in globals() if name.startswith("test_")}
    assert names <= tests | {"test_live_seed"}, names - tests
