"""Write the Word/PDF fixtures the way agencies make them, from the values in `values.py`.

    python tests/data/formats/make_fixtures.py              # .docx, .pdf, scan, gold
    python tests/data/formats/make_fixtures.py --ocr-cache  # then: record the scan's OCR (cache/ocr/)

Each report is a Word document written with python-docx: title, the six sections of prose with
every prose paragraph on a shaded box (one also framed by borders), and the three tables with
the national forms' merged cells (gridSpan/vMerge): table 二 as shaded 第二十条 band rows and
header rows per block, table 三 with its three-level header and the vertical 三、本年度办理结果
cell, table 四 with 行政复议/行政诉讼 over two header rows. Prose before table 三 is long enough
that the table breaks across a page with no repeated header. Blank cells are empty cells.
LibreOffice headless converts each .docx to PDF; `SCANNED` fixtures are rendered from a PDF to
greyscale page images and saved as an image-only PDF. Needs python-docx, pypdfium2, Pillow and
`soffice`; the generated files are committed, so tests need none of them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[2])]
from values import FIXTURES, REAL_SCANS, SCANNED, SCANS  # noqa: E402

from evals.spec import (  # noqa: E402  (labels of the national forms)
    APPLICANT_LABELS,
    BALANCE_NOTE,
    DISCLOSURE_BLOCKS,
    HEAD_ROWS,
    OUTCOME_GROUPS,
    OUTCOME_LABELS,
    OUTCOMES_HEADING,
    SECTION_HEADINGS,
    TAIL_ROWS,
)

FONT = "Noto Serif CJK SC"
BAND = "C6D9F1"  # the light blue of the 第二十条 band rows
PROSE_FILL = "FFFFFF"  # Word exports draw each prose paragraph on a white filled box
SCAN_DPI = 150
REAL = HERE.parents[2] / "evals" / "real"


# ---- low-level Word helpers ------------------------------------------------------------------

def _shade(element: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    element.append(shd)


def _borders(paragraph: Any) -> None:
    pbdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
            edge.set(qn(f"w:{key}"), value)
        pbdr.append(edge)
    paragraph._p.get_or_add_pPr().append(pbdr)


def _text(cell: Any, text: str, *, bold: bool = False, size: float = 10.5, center: bool = True) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _table(doc: Any, rows: int, widths_cm: list[float]) -> Any:
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(round(width * 567)))  # LibreOffice lays columns out by the grid (twips)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return table


def _num(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


# ---- the document --------------------------------------------------------------------------------

def _base() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return doc


def _prose(doc: Any, text: str, *, heading: bool = False, framed: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(28)
    paragraph.paragraph_format.line_spacing = Pt(26)
    run = paragraph.add_run(text)
    run.bold = heading
    _shade(paragraph._p.get_or_add_pPr(), "F2F2F2" if framed else PROSE_FILL)
    if framed:
        _borders(paragraph)


def _title(doc: Any, agency: str, year: int) -> None:
    for line in (agency, f"{year}年政府信息公开工作年度报告"):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.font.size = Pt(20)


def _overview(agency: str, year: int) -> list[str]:
    return [
        f"本报告由{agency}办公室根据《中华人民共和国政府信息公开条例》要求编制。报告中所列数据统计期限自"
        f"{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{agency}办公室联系。",
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，全面落实《条例》相关规范要求，"
        "不断完善政府信息公开制度，推进政府信息公开工作规范、有序、健康发展。",
        "（一）主动公开情况。主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息，"
        "全年在政府网站平台主动公开政府信息1284条。",
        "（二）依申请公开情况。进一步规范依申请公开流程，畅通依申请公开受理渠道，所有申请均在法定期限内答复。",
        "（三）政府信息管理情况。加强政府门户网站及政务新媒体日常管理，运用第三方检测平台实行常态化监测，"
        "执行信息审核发布制度，严格执行分级审核、先审后发程序，未经审核的信息一律不准发布。",
        "（四）政府信息公开平台建设情况。加强对政府网站、政务新媒体动态全面监管，按照管理标准定期检查，"
        "及时关停整合用户关注度低、更新不及时、无力运维的新媒体账号。",
        "（五）监督保障情况。进一步细化分解政府门户网站和政务新媒体内容保障责任单位，形成工作清单，"
        "做到任务具体、责任明确，确保政府门户网站和政务新媒体工作有序开展。",
    ]


def build(name: str, spec: dict[str, Any]) -> Any:
    doc = _base()
    _title(doc, spec["agency"], spec["year"])
    _prose(doc, SECTION_HEADINGS[0], heading=True)
    for i, text in enumerate(_overview(spec["agency"], spec["year"])):
        _prose(doc, text, framed=i == 3)
    _prose(doc, SECTION_HEADINGS[1], heading=True)
    _disclosure(doc, spec["active_disclosure"])
    _prose(doc, SECTION_HEADINGS[2], heading=True)
    _applications(doc, spec["applications"], spec["table3"])
    _prose(doc, SECTION_HEADINGS[3], heading=True)
    _review(doc, spec["review_litigation"])
    _prose(doc, SECTION_HEADINGS[4], heading=True)
    _prose(doc, "政府信息公开工作取得一定成效，但对照上级要求仍有差距：依申请公开工作规范性有待提高，"
                "政务公开队伍建设有待加强。下一步将全面梳理和优化工作流程，提升依申请公开规范化水平。")
    _prose(doc, SECTION_HEADINGS[5], heading=True)
    _prose(doc, "本年度未收取政府信息公开信息处理费。")
    return doc


# ---- the three tables ----------------------------------------------------------------------------

def _disclosure(doc: Any, values: dict[str, Any]) -> None:
    blocks = DISCLOSURE_BLOCKS[values["template"]]
    table = _table(doc, sum(2 + len(rows) for _, _, rows, _ in blocks), [4.6, 3.6, 3.6, 3.6])
    r = 0
    for heading, columns, rows, fields in blocks:
        band = table.cell(r, 0).merge(table.cell(r, 3))
        _text(band, heading)
        _shade(band._tc.get_or_add_tcPr(), BAND)
        spans = _spans(len(columns))
        _text(table.cell(r + 1, 0), "信息内容", bold=True)
        for (c0, c1), label in zip(spans, columns, strict=True):
            label = "采购总金额（万元）" if label == "采购总金额" else label  # the unit, as many agencies print it
            _text(table.cell(r + 1, c0).merge(table.cell(r + 1, c1)), label, bold=True)
        for i, (key, label) in enumerate(rows):
            _text(table.cell(r + 2 + i, 0), label, center=False)
            for (c0, c1), field in zip(spans, fields, strict=True):
                _text(table.cell(r + 2 + i, c0).merge(table.cell(r + 2 + i, c1)), _num(values[key][field]))
        r += 2 + len(rows)


def _spans(count: int) -> list[tuple[int, int]]:
    """Columns 1-3 shared out over a block's value columns (the last one takes what is left)."""
    return [(1 + i, 1 + i if i < count - 1 else 3) for i in range(count)]


def _applications(doc: Any, values: dict[str, Any], template: str) -> None:
    groups = OUTCOME_GROUPS[template]
    outcome_rows = sum(len(members) for _, members in groups)
    table = _table(doc, 3 + 2 + outcome_rows + 1, [0.9, 2.1, 4.5] + [1.1] * 7)
    _text(table.cell(0, 0).merge(table.cell(2, 2)), BALANCE_NOTE, size=9, center=False)
    _text(table.cell(0, 3).merge(table.cell(0, 9)), "申请人情况", size=9)
    _text(table.cell(1, 3).merge(table.cell(2, 3)), APPLICANT_LABELS[0], size=9)
    _text(table.cell(1, 4).merge(table.cell(1, 8)), "法人或其他组织", size=9)
    _text(table.cell(1, 9).merge(table.cell(2, 9)), APPLICANT_LABELS[6], size=9)
    for i, label in enumerate(APPLICANT_LABELS[1:6]):
        _text(table.cell(2, 4 + i), label, size=9)
    r = 3
    for key, label in HEAD_ROWS:
        _label_row(table, r, 0, label, values[key], bold=True)
        r += 1
    _text(table.cell(r, 0).merge(table.cell(r + outcome_rows - 1, 0)), OUTCOMES_HEADING, bold=True, size=9)
    for group, members in groups:
        if group is None:
            key, label = members[0]
            _label_row(table, r, 1, label, values[key])
        else:
            _text(table.cell(r, 1).merge(table.cell(r + len(members) - 1, 1)), group, size=9)
            for i, (key, label) in enumerate(members):
                _label_row(table, r + i, 2, label, values[key])
        r += len(members)
    key, label = TAIL_ROWS[0]
    _label_row(table, r, 0, label, values[key], bold=True)


def _label_row(table: Any, r: int, first: int, label: str, cells: dict[str, Any], *, bold: bool = False) -> None:
    _text(table.cell(r, first).merge(table.cell(r, 2)), label, bold=bold, size=9, center=False)
    for i, value in enumerate(cells.values()):
        _text(table.cell(r, 3 + i), _num(value), size=11)


def _review(doc: Any, values: dict[str, Any]) -> None:
    table = _table(doc, 4, [1.05] * 15)
    _text(table.cell(0, 0).merge(table.cell(0, 4)), "行政复议", size=9)
    _text(table.cell(0, 5).merge(table.cell(0, 14)), "行政诉讼", size=9)
    for i, label in enumerate(OUTCOME_LABELS):
        _text(table.cell(1, i).merge(table.cell(2, i)), label, size=9)
        _text(table.cell(2, 5 + i), label, size=9)
        _text(table.cell(2, 10 + i), label, size=9)
    _text(table.cell(1, 5).merge(table.cell(1, 9)), "未经复议直接起诉", size=9)
    _text(table.cell(1, 10).merge(table.cell(1, 14)), "复议后起诉", size=9)
    for g, group in enumerate(values.values()):
        for i, value in enumerate(group.values()):
            _text(table.cell(3, 5 * g + i), _num(value), size=11)


# ---- outputs -------------------------------------------------------------------------------------

def gold(name: str, spec: dict[str, Any], source: str) -> dict[str, Any]:
    apps = {"template": spec["table3"], **spec["applications"]}
    return {
        "schema_version": "1",
        "source": {"name": source},
        "meta": {"title": f"{spec['agency']}{spec['year']}年政府信息公开工作年度报告", "agency": spec["agency"],
                 "year": spec["year"], "template": spec["template"]},
        "active_disclosure": spec["active_disclosure"],
        "applications": apps,
        "review_litigation": spec["review_litigation"],
        "expected_findings": spec.get("expected_findings", []),
    }


def to_pdf(docx: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install -y libreoffice-writer-nogui fonts-noto-cjk")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out_dir), str(docx)], check=True, capture_output=True, timeout=300)
    return out_dir / f"{docx.stem}.pdf"


def to_scan(pdf: Path, out: Path, skew: float) -> None:
    """Each page rendered to a greyscale image (turned by `skew` degrees, as a page lies askew on
    the glass), the images saved as a PDF with no text layer."""
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(pdf)
    images = [doc[i].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    if skew:
        images = [im.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255) for im in images]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=SCAN_DPI)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def record_ocr() -> None:
    """Run the OCR on every page of the scans into the committed cache (the tests replay it).
    Pages already there are hits; after a change of OCR_VERSION delete cache/ocr/ first."""
    import pypdfium2 as pdfium

    from pipeline.formats.ocr import ocr_page

    for name in [*SCANNED, *REAL_SCANS]:
        data = (HERE / f"{name}.pdf").read_bytes()
        for index in range(len(pdfium.PdfDocument(data))):
            ocr_page(data, index, HERE / "cache" / "ocr")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ocr-cache", action="store_true", help="only record the OCR of the scanned fixtures")
    parser.add_argument("--scans", action="store_true", help="only remake the scans from the committed PDFs")
    args = parser.parse_args()
    if args.ocr_cache:
        record_ocr()
        return
    for name, spec in FIXTURES.items():
        if args.scans:
            break
        docx = HERE / f"{name}.docx"
        build(name, spec).save(docx)
        write_json(HERE / f"{name}.docx.expected.json", gold(name, spec, docx.name))
        pdf = to_pdf(docx, HERE)
        write_json(HERE / f"{name}.pdf.expected.json", gold(name, spec, pdf.name))
        print(f"{docx.name}, {pdf.name}")
    for name, (source, skew) in SCANS.items():
        scan = HERE / f"{name}.pdf"
        to_scan(HERE / f"{source}.pdf", scan, skew)
        write_json(HERE / f"{name}.pdf.expected.json", gold(source, FIXTURES[source], scan.name))
        print(scan.name)
    for name, real in REAL_SCANS.items():
        scan = HERE / f"{name}.pdf"
        to_scan(REAL / f"{real}.pdf", scan, 0.0)
        gold_real = json.loads((REAL / f"{real}.json").read_text(encoding="utf-8"))
        write_json(HERE / f"{name}.pdf.expected.json", {**gold_real, "source": {"name": scan.name}})
        print(scan.name)


if __name__ == "__main__":
    main()
