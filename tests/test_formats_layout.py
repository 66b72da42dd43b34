"""Layout: positioned pages (as a PDF text layer or OCR gives them) to reading-order text and grids.

Pages are built by hand here, with boxes chosen first, so each case states exactly what is drawn.
"""

from __future__ import annotations

import pytest

from pipeline.formats.layout import pages_to_document
from pipeline.formats.page import Page, Rule, Word

W, H = 595.0, 842.0
SIZE = 10.0


def word(text: str, x: float, y: float, ocr: bool = False) -> Word:
    """A word whose glyphs are SIZE points square, top-left at (x, y)."""
    return Word(text, x, y, x + SIZE * len(text), y + SIZE, 0.9 if ocr else 1.0)


def grid_rules(xs: list[float], ys: list[float], skip: set[tuple[str, int, int]] = frozenset()) -> list[Rule]:
    """Every horizontal rule at ys[i] across column j and vertical at xs[j] across row i, minus `skip`
    entries ("h", i, j) / ("v", i, j): the drawn grid of a table with merged cells."""
    rules = []
    for i, y in enumerate(ys):
        for j in range(len(xs) - 1):
            if ("h", i, j) not in skip:
                rules.append(Rule(xs[j], y, xs[j + 1], y))
    for j, x in enumerate(xs):
        for i in range(len(ys) - 1):
            if ("v", i, j) not in skip:
                rules.append(Rule(x, ys[i], x, ys[i + 1]))
    return rules


def texts(doc, grid=0):
    return [[c.text for c in row] for row in doc.grids[grid].rows]


def spans(doc, grid=0):
    return [[c.spanned for c in row] for row in doc.grids[grid].rows]


def test_merged_cells_become_spanned_copies():
    # three columns; a vertical label over rows 1-2 in column 0; a header over columns 1-2 in row 0
    xs, ys = [50, 150, 250, 350], [100, 120, 140, 160]
    rules = grid_rules(xs, ys, skip={("h", 2, 0), ("v", 0, 2)})
    words = [word("申请人", 160, 105), word("结果", 55, 125), word("1", 160, 125), word("2", 260, 125),
             word("3", 160, 145), word("4", 260, 145)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, rules)], "pdf")
    assert texts(doc) == [["", "申请人", "申请人"], ["结果", "1", "2"], ["结果", "3", "4"]]
    assert spans(doc) == [[False, False, True], [False, False, False], [True, False, False]]
    assert doc.view.splitlines() == ["\t申请人\t", "结果\t1\t2", "\t3\t4"]


def test_cell_text_over_several_lines_is_joined_and_located():
    xs, ys = [50, 150, 250], [100, 140]
    words = [word("（二）部分", 55, 105), word("公开", 55, 120), word("12", 160, 112)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, grid_rules(xs, ys))], "pdf")
    assert texts(doc) == [["(二)部分公开", "12"]]  # grid cell text is normalised, like the view
    cell = doc.grids[0].rows[0][1]
    assert doc.text[cell.start:cell.end] == "12"
    assert doc.locations[cell.start] == {"page": 1, "box": [150.0, 100.0, 250.0, 140.0]}


def test_table_split_over_pages_without_repeated_header_is_one_grid():
    xs = [50, 150, 250]
    first = Page(1, W, H, [word("一、总体情况", 50, 60), word("规章", 55, 705), word("0", 160, 705),
                           word("- 1 -", 280, 810)], grid_rules(xs, [700, 720, 740, 760]))
    first.words.append(word("文件", 55, 725))
    first.words.append(word("5", 160, 725))
    first.words.append(word("许可", 55, 745))
    second = Page(2, W, H, [word("- 2 -", 280, 20), word("处罚", 55, 85), word("7", 160, 85),
                            word("五、存在的主要问题", 50, 200)], grid_rules(xs, [80, 100]))
    doc = pages_to_document("t.pdf", b"t", [first, second], "pdf")
    assert len(doc.grids) == 1
    assert texts(doc) == [["规章", "0"], ["文件", "5"], ["许可", ""], ["处罚", "7"]]
    assert "- 1 -" not in doc.text and "- 2 -" not in doc.text
    seven = doc.grids[0].rows[3][1]
    assert doc.locations[seven.start] == {"page": 2, "box": [150.0, 80.0, 250.0, 100.0]}


def test_tables_at_different_edges_are_not_joined():
    first = Page(1, W, H, [word("规章", 55, 705), word("0", 160, 705)], grid_rules([50, 150, 250], [700, 720]))
    second = Page(2, W, H, [word("处罚", 105, 85), word("7", 210, 85)], grid_rules([100, 200, 300], [80, 100]))
    doc = pages_to_document("t.pdf", b"t", [first, second], "pdf")
    assert len(doc.grids) == 2


@pytest.mark.parametrize("rules", [
    pytest.param(grid_rules([50, 500], [100, 120, 140]), id="framed-lines"),  # each prose line in a box
    pytest.param([Rule(50, 100, 500, 100), Rule(50, 140, 500, 140)], id="rules-above-and-below"),
])
def test_one_column_frames_are_prose_not_tables(rules):
    words = [word("（一）主动公开情况。本年主动公开", 55, 105), word("政府信息1136条。", 55, 125)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, rules)], "pdf")
    assert doc.grids == []
    assert "政府信息1136条" in doc.text


def test_wrapped_prose_lines_join_into_paragraphs():
    words = [word("一、总体情况", 50, 100),
             word("本年度我区在政府网站平台主动公开政府信息", 70, 120),  # indented: a paragraph starts
             word("一千一百三十六条。", 50, 140),  # continues: the previous line is full
             word("二、主动公开", 50, 160)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, [])], "pdf")
    assert doc.text.splitlines() == ["一、总体情况", "本年度我区在政府网站平台主动公开政府信息一千一百三十六条。", "二、主动公开"]


def test_a_heading_after_a_full_line_starts_a_new_line():
    words = [word("本年度我区在政府网站平台主动公开政府信息", 50, 120), word("二、主动公开", 50, 140),
             word("（一）主动公开情况", 50, 160)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, [])], "pdf")
    assert doc.text.splitlines() == ["本年度我区在政府网站平台主动公开政府信息", "二、主动公开", "（一）主动公开情况"]


@pytest.mark.parametrize("furniture", ["- 3 -", "— 3 —", "第 3 页 共 8 页", "3"])
def test_page_numbers_in_the_margin_are_dropped(furniture):
    page = Page(1, W, H, [word("六、其他需要报告的事项", 50, 100), word(furniture, 270, 800)], [])
    assert pages_to_document("t.pdf", b"t", [page], "pdf").text == "六、其他需要报告的事项\n"


def test_running_header_on_most_pages_is_dropped_and_body_numbers_kept():
    pages = [Page(n, W, H, [word("洪泽区人民政府公报", 200, 30), word(f"正文第{n}页有 3 件", 50, 300),
                            word("3", 270, 300)], []) for n in (1, 2, 3)]
    doc = pages_to_document("t.pdf", b"t", pages, "pdf")
    assert "公报" not in doc.text and doc.text.count("3 件") == 3


def test_ocr_page_without_rules_gives_tab_separated_rows():
    words = [word("行政许可", 50, 300, ocr=True), word("550", 250, 300, ocr=True),
             word("行政处罚", 50, 320, ocr=True), word("4119", 250, 321, ocr=True)]
    page = Page(1, W, H, words, [], ocr=True)
    doc = pages_to_document("scan.pdf", b"s", [page], "pdf")
    assert doc.text.splitlines() == ["行政许可\t550", "行政处罚\t4119"]
    assert doc.grids == []


def test_rendering_is_the_source_text_and_hashes_the_file():
    page = Page(1, W, H, [word("２０２３年", 50, 100)], [])
    doc = pages_to_document("t.pdf", b"file bytes", [page], "pdf")
    assert doc.text == "２０２３年\n" and doc.view == "2023年\n" and doc.view_map is None
    assert doc.kind == "pdf" and len(doc.sha256) == 64


def test_location_of_an_offset_inside_a_cell():
    xs, ys = [50, 150, 250], [100, 140]
    words = [word("收费", 55, 105), word("40.35万元", 160, 112)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, grid_rules(xs, ys))], "pdf")
    cell = doc.grids[0].rows[0][1]
    assert doc.location(cell.start + 2) == doc.location(cell.start) == {"page": 1, "box": [150.0, 100.0, 250.0, 140.0]}
    assert doc.location(0) == {"page": 1, "box": [50.0, 100.0, 150.0, 140.0]} and doc.location(cell.end + 5) == {}


def test_continued_table_with_its_header_repeated_reads_through():
    from pipeline.extract import extract_document

    xs = [50, 200, 300, 400, 500]
    head = ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]

    def row(values, y):
        return [word(v, x + 5, y + 3) for v, x in zip(values, xs, strict=False) if v]

    band = {("v", 0, 1), ("v", 0, 2), ("v", 0, 3)}
    first = Page(1, W, H, [word("二、主动公开政府信息情况", 50, 600), *row(["第二十条第（一）项"], 705), *row(head, 725),
                           *row(["规章", "2", "0", "31"], 745)], grid_rules(xs, [700, 720, 740, 760], skip=band))
    second = Page(2, W, H, [*row(head, 85), *row(["行政规范性文件", "7", "5", "140"], 105),
                            word("三、收到和处理政府信息公开申请情况", 50, 200)], grid_rules(xs, [80, 100, 120]))
    doc = pages_to_document("t.pdf", b"t", [first, second], "pdf")
    assert len(doc.grids) == 1 and len(doc.grids[0].rows) == 5
    record = extract_document(doc)
    assert record.active_disclosure is not None
    ad = record.model_dump(mode="json")["active_disclosure"]
    assert ad["regulations"] == {"issued": 2, "repealed": 0, "in_force": 31}
    assert ad["normative_documents"] == {"issued": 7, "repealed": 5, "in_force": 140}


def test_a_wrap_between_latin_words_or_digits_keeps_a_space():
    words = [Word("本机关电子邮箱为", 50, 100, 130, 110), Word("gov", 130, 100, 300, 110),  # runs to the margin
             Word("zwgk.example.com。", 50, 120, 220, 130)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, [])], "pdf")
    assert doc.text == "本机关电子邮箱为gov zwgk.example.com。\n"


@pytest.mark.parametrize("lines,text", [
    pytest.param(["113", "6"], "1136", id="number-wrapped"),
    pytest.param(["7730.", "28万元"], "7730.28万元", id="amount-wrapped"),
    pytest.param(["Open", "data"], "Open data", id="latin-words"),
    pytest.param(["其他法律行政法规", "禁止公开"], "其他法律行政法规禁止公开", id="chinese"),
])
def test_a_cell_wrapped_over_lines_joins_as_written(lines, text):
    words = [word(t, 55, 105 + 12 * i) for i, t in enumerate(lines)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, grid_rules([50, 250, 300], [100, 140]))], "pdf")
    assert doc.grids[0].rows[0][0].text == text


def test_an_empty_ruled_frame_is_decoration():
    page = Page(1, W, H, [word("六、其他需要报告的事项", 50, 300)], grid_rules([50, 300, 545], [60, 80]))
    doc = pages_to_document("t.pdf", b"t", [page], "pdf")
    assert doc.grids == [] and doc.text == "六、其他需要报告的事项\n"


def test_a_table_without_vertical_rules_beside_a_ruled_one_gives_tab_separated_rows():
    ruled = grid_rules([50, 150, 250], [100, 120])
    three_line = [Rule(50, 300, 545, 300), Rule(50, 340, 545, 340)]  # a top and a bottom rule, no columns
    words = [word("规章", 55, 105), word("0", 160, 105), word("行政许可", 50, 310), word("550", 250, 310),
             word("本年主动公开信息，共计", 50, 360), word("1136条。", 160, 360)]
    doc = pages_to_document("t.pdf", b"t", [Page(1, W, H, words, ruled + three_line)], "pdf")
    assert len(doc.grids) == 1
    assert doc.text.splitlines()[1:] == ["行政许可\t550", "本年主动公开信息，共计1136条。"]
