"""Sections: the six SPEC sections despite numbering variants, extra sections and table headings."""

from __future__ import annotations

import pytest

from pipeline.ingest import ingest
from pipeline.sections import KEYS, find_sections
from tests.conftest import SAMPLES

SEED_TITLES = {
    "000_91b3a683a9f202da.txt": ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                 "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                                 "六、其他需要报告的事项"],
    "003_a929f22f00d6b349.txt": ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                 "4、 政府信息公开行政复议、行政诉讼情况", "五、存在问题及改进措施", "六、其他需要报告的事项"],
    "004_cf13eb81c073527c.txt": ["一、总体情况", "四、主动公开政府信息情况", "五、政府信息公开申请办理情况",
                                 "六、政府信息公开行政复议、行政诉讼情况", "七、政府信息公开工作存在的主要问题及改进情况",
                                 "八、其他"],
}


@pytest.mark.parametrize("name", sorted(SEED_TITLES))
def test_seed_sections(name):
    sections = find_sections(ingest(SAMPLES / name))
    assert [s.key for s in sections] == list(KEYS)
    assert [s.title for s in sections] == SEED_TITLES[name]
    assert all(a.end == b.start for a, b in zip(sections, sections[1:], strict=False))


@pytest.mark.parametrize("numbering", ["{cn}、", "{n}、", "{n}.", "（{cn}）", "({cn})", "第{cn}部分 "])
def test_numbering_variants(make_doc, numbering):
    cn = "一二三四五六"
    titles = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况",
              "存在的主要问题及改进情况", "其他需要报告的事项"]
    text = "\n".join(numbering.format(cn=cn[i], n=i + 1) + t + "\n正文。" for i, t in enumerate(titles))
    assert [s.key for s in find_sections(make_doc(text))] == list(KEYS)


def test_toc_and_table_headings_are_not_sections(make_doc):
    text = ("目录\n一、总体情况.....\t1\n四、主动公开政府信息情况.....\t15\n"
            "一、总体情况\n正文。\n二、主动公开政府信息情况\n表。\n三、收到和处理政府信息公开申请情况\n"
            "四、结转下年度继续办理\t0\t0\n四、政府信息公开行政复议、行政诉讼情况\n0\n")
    sections = find_sections(make_doc(text))
    assert [s.key for s in sections] == ["overview", "active_disclosure", "applications", "review_litigation"]
    assert sections[0].start == text.index("一、总体情况\n正文")


def test_extra_sections_stay_with_the_section_before(make_doc):
    text = "一、总体情况\n甲。\n二、丰富载体打造平台\n乙。\n三、主动公开政府信息情况\n丙。\n"
    sections = find_sections(make_doc(text))
    assert [s.key for s in sections] == ["overview", "active_disclosure"]
    assert "乙" in text[sections[0].start:sections[0].end]
