"""Meta: title, agency and year from the text before section 一, in the ways reports print them."""

from __future__ import annotations

import pytest

from pipeline.meta import find_meta
from pipeline.sections import find_sections

BODY = "\n一、总体情况\n2020年，本局认真落实条例。\n"


@pytest.mark.parametrize("head,agency,year", [
    pytest.param("济南市行政审批服务局2020年政府信息公开工作年度报告", "济南市行政审批服务局", 2020, id="one-line"),
    pytest.param("济南市历下区人民政府\n2020 年政府信息公开工作年度报告", "济南市历下区人民政府", 2020, id="agency-above"),
    pytest.param("安康市行政审批服务局2020年\n政府信息公开年度报告", "安康市行政审批服务局", 2020, id="split-title"),
    pytest.param("# 某某委员会2021年政府信息公开工作年度报告", "某某委员会", 2021, id="markdown"),
    pytest.param("首页 > 政府信息公开年报\n某某局二〇二一年政府信息公开工作年度报告", "某某局", 2021, id="breadcrumb-cn-year"),
    pytest.param("关于报送2020年政府信息公开年度报告的函\n某某局2019年政府信息公开工作年度报告", "某某局", 2019,
                 id="cover-letter-first"),
    pytest.param("发布机构: 河东区行政审批服务局", "河东区行政审批服务局", 2020, id="publisher-line"),
    pytest.param("", None, 2020, id="no-title-year-from-overview"),
    pytest.param("2019年某市人民政府办公厅政府信息公开工作年度报告", "某市人民政府办公厅", 2019, id="year-first"),
    pytest.param("2025 年上海市人民政府办公厅政府信息公开\n工作年度报告", "上海市人民政府办公厅", 2025,
                 id="year-first-split-after-xinxigongkai"),
    pytest.param("绵阳市涪城区交通运输局 2019 年政府信息公开工\n作年度报告", "绵阳市涪城区交通运输局", 2019,
                 id="title-broken-inside-a-word"),
    pytest.param("正文\n洛阳市生态环境局 2021 年政府信息公\n开工作年度报告", "洛阳市生态环境局", 2021, id="broken-inside-gongkai"),
    pytest.param("正文\n佛山市南海区行政审批服务局 2019\n年政府信息公开工作年度报告", "佛山市南海区行政审批服务局", 2019,
                 id="broken-after-the-year-digits"),
    pytest.param("标题: 平潭综合实验区2021年度政府信息公开工作年度报告\n发布机构: ", "平潭综合实验区", 2021,
                 id="crawler-title-field"),
    pytest.param("当前位置： 首页政务公开政府信息公开年报 平潭综合实验区2021年度政府信息公开工作年度报告 来源：平潭县人民政府 "
                 "时间：2022-02-08 16:34 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： --> 根据《条例》等文件要求，"
                 "我区编制完成了本报告。", "平潭综合实验区", 2021, id="breadcrumb-line-not-source-publisher"),
])
def test_meta(make_doc, head, agency, year):
    doc = make_doc(head + BODY)
    meta = find_meta(doc, find_sections(doc), "2019")
    assert (meta.agency, meta.year, meta.template) == (agency, year, "2019")


def test_html_title_site_suffix_is_dropped(make_doc):
    doc = make_doc("<html><head><title>某某局2019年政府信息公开工作年度报告_某某区人民政府</title></head>"
                   "<body><p>一、总体情况</p><p>正文。</p></body></html>", name="p.html")
    meta = find_meta(doc, find_sections(doc), None)
    assert meta.title == "某某局2019年政府信息公开工作年度报告" and meta.agency == "某某局"
