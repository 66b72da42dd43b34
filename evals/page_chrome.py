"""What surrounds a report on a government site, and report-length prose, for the kinds that imitate
real published reports (evals/crawler.py, evals/pdf_markdown.py, evals/cms_html.py).

The wording follows the real examples in evals/real/ (a crawler's page text, a PDF converted to
Markdown); none of it holds a table cell, so it changes no gold value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from evals.render import prose

SHARE_WORDS = ("微信 微博 QQ空间", "微信 微博", "分享到： 微信 微博 QQ空间")
VIEW_WORDS = ("全真版 文字版 文件下载", "文件下载", "【字体：大 中 小】 打印本页", "")
TAIL_WORDS = ("附件下载", "附件下载： 相关附件", "【打印本页】 【关闭窗口】 附件下载", "文件下载")
PROGRAMMES = ("习近平新时代中国特色社会主义思想为指导", "党中央、国务院关于全面推进政务公开工作的部署为指引")
FILLER = (
    "坚持以人民为中心深化政务公开，聚焦企业和群众关注关切，不断拓展重点领域信息公开的广度与深度。",
    "强化政策发布解读服务，努力推动政府决策和管理服务更加透明规范，助力服务型政府建设。",
    "按照“公开为常态，不公开为例外”的要求，推行“应公开尽公开”，积极主动公开各领域政府信息。",
    "围绕重点领域深化信息公开，做好各类规划主动公开，及时发布财政预决算、重大项目等信息。",
    "严格落实公文公开属性源头认定机制，对拟公开的信息进行保密审查，未经审核的信息一律不准发布。",
    "加强政府网站与政务新媒体日常监测，及时将监测发现的问题反馈给责任单位进行整改。",
    "常态化开展督查检查，细化年度政务公开考核标准，切实发挥考核促进工作的良性作用。",
)


@dataclass(frozen=True)
class Page:
    """A report page's surroundings: the site that publishes it and when."""

    publisher: str  # the 来源 line: the site's owner, often not the report's subject
    site: str
    date: str  # 2022-02-08
    time: str  # 16:34
    doc_id: int


def page_for(gold: dict[str, Any], rng: random.Random) -> Page:
    agency = gold["meta"]["agency"]
    city = agency.split("人民政府")[0]
    for suffix in ("财政局", "生态环境局", "行政审批服务局", "教育局", "交通运输局", "自然资源局", "卫生健康委员会"):
        city = city.removesuffix(suffix)
    publisher = rng.choice([f"{city}人民政府", f"{city}人民政府办公室", agency])
    year = gold["meta"]["year"] + 1
    return Page(publisher, rng.choice(["ak", "jinan", "yichang", "my", "tz", "hd", "ly", "nh"]),
                f"{year}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}", f"{rng.randint(8, 18)}:{rng.randint(10, 59)}",
                rng.randint(10000, 99999))


SUBHEADINGS = ("（一）主动公开方面。", "（二）依申请公开方面。", "（三）政府信息管理方面。", "（四）平台建设方面。",
               "（五）监督保障方面。")
CONTENTS = ("本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、"
            "存在的主要问题及改进情况和其他需要报告的事项等六个部分。")


def long_prose(gold: dict[str, Any], rng: random.Random) -> dict[str, str]:
    """render.prose with the length of a real report: the intro names the six parts, the overview
    runs to several paragraphs under `（一）主动公开方面。` … (one per line: callers join or split them)."""
    parts = prose(gold, rng)
    meta = gold["meta"]
    lead = f"{meta['year']}年，{meta['agency']}以{rng.choice(PROGRAMMES)}，"
    sentences = rng.sample(FILLER, k=rng.randint(4, len(FILLER)))
    paragraphs = [lead + sentences[0] + parts["overview"]]
    for heading, at in zip(SUBHEADINGS, range(1, len(sentences), 2), strict=False):
        paragraphs.append(heading + "".join(sentences[at:at + 2]))
    parts["overview"] = "\n".join(paragraphs)
    parts["intro"] += (CONTENTS if rng.random() < 0.7 else "") + \
        "本报告的电子版可在门户网站的“政府信息公开专栏”中下载。如对本报告有任何疑问，请与政府信息公开工作机构联系。"
    parts["problems"] = ("（一）存在的主要问题：" + parts["problems"].split("下一步")[0]
                         + "（二）改进措施：一是丰富政策解读形式，提升政策解读质量；二是加强重点政务信息管理，强化重点领域信息公开。")
    return parts
