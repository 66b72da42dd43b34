"""find_facts / find_problems: hand-written snippets (positive and negative) and the seed reports."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from pipeline.core import Document, Section
from pipeline.facts import find_facts, find_problems
from pipeline.ingest import ingest
from pipeline.sections import find_sections

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = ROOT / "evals" / "gold"


def snippet(body: str, key: str = "overview", title: str = "一、总体情况") -> tuple[Document, list[Section]]:
    """A one-section document: `title` then `body`."""
    text = f"{title}\n{body}"
    return Document(name="x.txt", text=text, sha256="0"), [Section(key, title, 0, len(text), len(title) + 1)]


@cache
def seed(prefix: str) -> tuple[Document, list[Section]]:
    path = next(SAMPLES.glob(f"{prefix}_*.txt"))
    doc = ingest(path)
    return doc, find_sections(doc)


def pairs(doc: Document, sections: list[Section]) -> list[tuple[float, str]]:
    return [(f.value, f.unit) for f in find_facts(doc, sections)]


# ---- snippets: what is a fact ------------------------------------------------------------------

POSITIVE = [
    pytest.param("全年发布信息387篇。", [(387, "篇")], id="plain"),
    pytest.param("在各级媒体平台发稿3000余篇。", [(3000, "篇")], id="approx-yu"),
    pytest.param("为企业群众答复 2000 多条问题。", [(2000, "条")], id="approx-duo-spaced"),
    pytest.param("共承办工单32.6万件，满意率99.68%。", [(32.6, "万件"), (99.68, "%")], id="wan-and-percent"),
    pytest.param("政府集中采购总金额40.35万元。", [(40.35, "万元")], id="wanyuan"),
    pytest.param("发布信息１２３条，占比５０％。", [(123, "条"), (50, "%")], id="full-width"),
    pytest.param("服务群众1000多人次，开展直播55场次。", [(1000, "人次"), (55, "场次")], id="two-char-units"),
    pytest.param("承办建议97件（市5件、区92件）。", [(97, "件"), (5, "件"), (92, "件")], id="parenthetical"),
    pytest.param("共设立7个主频道，29个栏目。", [(7, "个"), (29, "个")], id="after-comma"),
    pytest.param("在收到申请之日起20个工作日内予以答复。", [(20, "个工作日")], id="working-days"),
    pytest.param("减少跑腿次数50%以上。", [(50, "%")], id="percent-bound"),
]


@pytest.mark.parametrize(("body", "expected"), POSITIVE)
def test_facts_found(body: str, expected: list[tuple[float, str]]) -> None:
    assert pairs(*snippet(body)) == expected


NEGATIVE = [
    pytest.param("本报告统计期限为2020年1月1日至2020年12月31日。", id="date-range"),
    pytest.param("9月18日上午，区长带队接听来电。", id="month-day"),
    pytest.param("2020年度，我局加强公开工作。系统自 2020 年 9 月份上线运行。", id="years"),
    pytest.param("邀请代表列席区政府第 54 次常务会，第55次常务会。", id="ordinals"),
    pytest.param("按照《通知》（历下办发〔2020〕21号）要求执行。", id="document-number"),
    pytest.param("联系电话：0539-8822601，邮编：250014，电话：88150105。", id="phone-postcode"),
    pytest.param("地址：济南市历下区解放东路 99 号。", id="address"),
    pytest.param("全力加强12345政务服务热线办理，12345平台运行良好。", id="hotline"),
    pytest.param("印发《关于做好10项重点工作的通知》。", id="book-title"),
    pytest.param("1. 行政权力运行公开。2、执行公开。（1）重点领域公开。", id="list-numbering"),
    pytest.param("索引号：hedongquhd0207/2024-0000066，发布时间:2021-01-29 15:31:04。", id="identifiers"),
]


@pytest.mark.parametrize("body", NEGATIVE)
def test_not_facts(body: str) -> None:
    assert pairs(*snippet(body)) == []


TABLES = [
    pytest.param("applications", "一、本年新收政府信息公开申请数量\t152\t22\t0\t0\t2\t0\t176\n", id="tab-row"),
    pytest.param("active_disclosure", "行政事业性收费 |\n0 |\n政府集中采购 |\n3 |\n161330元 |\n", id="pipe-cells"),
    pytest.param("active_disclosure", "\t政府集中采购\n\t3\n\t40.35万元\n", id="lone-cells"),
    pytest.param("review_litigation", "行政复议\n结果维持\n4件\n1件\n", id="cells-without-punctuation"),
    pytest.param("active_disclosure", "政府集中采购  3  40.35万元\n", id="space-separated-row"),
]


@pytest.mark.parametrize(("key", "body"), TABLES)
def test_table_cells_are_not_facts(key: str, body: str) -> None:
    assert pairs(*snippet(body, key=key, title="二、表格")) == []


def test_prose_inside_a_table_section_is_read() -> None:
    body = "2020年，我区共计收到政府信息公开申请176件，同比去年减少38件。\n一、本年新收\t152\t22\t176\n"
    facts = find_facts(*snippet(body, key="applications", title="五、政府信息公开申请办理情况"))
    assert [(f.value, f.unit, f.section) for f in facts] == [(176, "件", "applications"), (38, "件", "applications")]


@pytest.mark.parametrize(("body", "value", "subject"), [
    pytest.param("2023年河东区政府门户网站发布信息387篇。", 387, "河东区政府门户网站发布信息", id="prefix"),
    pytest.param("接通212542件，接通率95.78%。", 95.78, "接通率", id="rate"),
    pytest.param("全年开展了9次“市民进大厅”活动。", 9, "“市民进大厅”活动", id="after-verb"),
    pytest.param("其中，人大代表建议97件（市5件、区92件）。", 5, "人大代表建议（市）", id="parenthetical"),
    pytest.param("每个业务大约节省 2 小时左右时间。", 2, "每个业务大约节省时间", id="around"),
])
def test_subject(body: str, value: float, subject: str) -> None:
    facts = find_facts(*snippet(body))
    assert next(f.subject for f in facts if f.value == value) == subject


def test_quote_and_offsets_are_source_text() -> None:
    doc, sections = snippet("我局全年发布信息１２３条，占比５０％。")
    facts = find_facts(doc, sections)
    assert [f.quote for f in facts] == ["我局全年发布信息１２３条", "占比５０％"]
    assert all(doc.text[f.start:f.end] == f.quote for f in facts)


# ---- seeds -----------------------------------------------------------------------------------------

SEED_FACTS = [
    pytest.param("000", 3000, "篇", "overview", id="000-3000-pian"),
    pytest.param("001", 387, "篇", "overview", id="001-387-pian"),
    pytest.param("001", 3.3, "万人次", "other", id="001-wan-renci"),
    pytest.param("002", 1896, "件", "overview", id="002-1896"),
    pytest.param("003", 720, "项", "overview", id="003-720-xiang"),
    pytest.param("003", 91.36, "%", "overview", id="003-91.36-percent"),
    pytest.param("003", 1373, "项", "overview", id="003-1373-xiang"),
    pytest.param("004", 32.6, "万件", "overview", id="004-32.6-wanjian"),
    pytest.param("004", 176, "件", "applications", id="004-176-applications"),
    pytest.param("004", 219, "件", "other", id="004-219-other"),
]


@pytest.mark.parametrize(("prefix", "value", "unit", "section"), SEED_FACTS)
def test_seed_fact(prefix: str, value: float, unit: str, section: str) -> None:
    facts = find_facts(*seed(prefix))
    assert any((f.value, f.unit, f.section) == (value, unit, section) for f in facts)


SEED_NON_FACTS = [
    pytest.param("001", 8822601, id="001-phone"),
    pytest.param("001", 44872, id="001-table-cell"),
    pytest.param("002", 161330, id="002-pipe-table-amount"),
    pytest.param("003", 40.35, id="003-tab-table-amount"),
    pytest.param("003", 1375, id="003-table-cell"),
    pytest.param("004", 54, id="004-ordinal"),
    pytest.param("004", 250014, id="004-postcode"),
    pytest.param("004", 67556, id="004-table-cell"),
]


@pytest.mark.parametrize(("prefix", "value"), SEED_NON_FACTS)
def test_seed_non_fact(prefix: str, value: float) -> None:
    assert value not in [f.value for f in find_facts(*seed(prefix))]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_quotes_are_source_slices(prefix: str) -> None:
    doc, sections = seed(prefix)
    facts = find_facts(doc, sections)
    assert facts
    for fact in facts:
        assert doc.text[fact.start:fact.end] == fact.quote
        assert fact.subject


@pytest.mark.parametrize("prefix", ["003", "004"])
def test_seed_gold_facts_recalled(prefix: str) -> None:
    """Every gold fact has a found fact with the same value, unit and section whose clause holds it."""
    gold = json.loads(next(GOLD.glob(f"{prefix}_*.json")).read_text())["facts"]
    facts = find_facts(*seed(prefix))
    missing = [g["quote"] for g in gold if not any(
        (f.value, f.unit, f.section) == (g["value"], g["unit"], g["section"]) and f.start <= g["start"] < f.end
        for f in facts)]
    assert missing == []


# ---- problems ----------------------------------------------------------------------------------------

SEED_PROBLEMS = [
    pytest.param("000", ["公开的主动性还有待加强", "政务信息还存在发布不及时的问题", "公开的内容还不够全面"], id="000"),
    pytest.param("001", ["政府网站日常更新有待加强,存在稿件更新不及时的问题", "政务平台建设有待优化,惠企利民作用尚未充分发挥",
                         "政策解读的创新性、针对性有待提升,政策的到达率、知晓率仍有提升空间"], id="001"),
    pytest.param("003", ["思想认识不深刻", "政策解读内容少，形式单一"], id="003"),
    pytest.param("004", ["政府信息公开工作规范化有待进一步加强", "政策解读水平有待进一步提升", "重点领域信息公开与上级要求存在差距"],
                 id="004"),
]


@pytest.mark.parametrize(("prefix", "expected"), SEED_PROBLEMS)
def test_seed_problems(prefix: str, expected: list[str]) -> None:
    assert find_problems(*seed(prefix)) == expected


PROBLEM_SNIPPETS = [
    pytest.param("存在的问题：\n1.网站信息更新不够及时；\n2.政策解读形式单一。\n下一步，我们将加强。",
                 ["网站信息更新不够及时", "政策解读形式单一"], id="arabic-numbered"),
    pytest.param("（一）存在的问题\n1.网站信息更新不够及时；\n2.政策解读形式单一。\n（二）改进措施\n1.加强更新。",
                 ["网站信息更新不够及时", "政策解读形式单一"], id="nested-headings"),
    pytest.param("仍存在不足：一是更新不及时；二是解读不深入。针对上述问题，一是加强更新；二是深化解读。",
                 ["更新不及时", "解读不深入"], id="measures-after-zhendui"),
    pytest.param("主要问题是信息公开的及时性有待提高。下一步，我局将加强。", ["信息公开的及时性有待提高"], id="unnumbered"),
    pytest.param("虽然取得了一定成效，但仍存在不足：网站栏目设置不够合理；政策解读形式单一。\n下一步将改进。",
                 ["网站栏目设置不够合理", "政策解读形式单一"], id="unnumbered-after-colon"),
    pytest.param("无。", [], id="none"),
]


@pytest.mark.parametrize(("body", "expected"), PROBLEM_SNIPPETS)
def test_problem_snippets(body: str, expected: list[str]) -> None:
    assert find_problems(*snippet(body, key="problems", title="五、存在的主要问题及改进情况")) == expected


def test_no_problems_section() -> None:
    assert find_problems(*snippet("一是更新不及时。")) == []
