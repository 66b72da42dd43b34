"""Word (.docx) reader: body paragraphs in order, tables as cell grids with merges resolved.

A horizontal merge (`gridSpan`) and a vertical one (`vMerge`) become spanned copies of the
merged cell, as an HTML rowspan/colspan does. The zip container is checked before anything is
decompressed: sizes as declared (which `zipfile` then enforces) and the number of members, so a
zip bomb is refused at once. The rendered text (paragraphs one per line, each table row one line
of tab-separated cells) is the document's source text; a cell's provenance is its table, row and
column (1-based, on the expanded grid).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from pipeline.core import Document, IngestError
from pipeline.formats.numbering import Numbering
from pipeline.formats.render import Rendering, glue

MAX_UNZIPPED = 200 * 1024 * 1024  # all members together, as declared in the zip directory
MAX_MEMBERS = 5000
MAX_RATIO = 200  # declared size / compressed size, per member of any size worth checking


def read_docx(name: str, data: bytes) -> Document:
    """A .docx file as a `Document`; `IngestError` for a damaged, oversized or non-Word zip."""
    _check_zip(name, data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = docx.Document(io.BytesIO(data))
        body = word.element.body
        numbering = Numbering(_part(word, "numbering"), _part(word, "styles"))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise IngestError(f"{name}: not a readable Word .docx ({type(exc).__name__}: {exc})", path=name) from exc
    except Exception as exc:  # lxml and python-docx raise many kinds on damaged XML
        raise IngestError(f"{name}: damaged Word .docx ({type(exc).__name__}: {exc})", path=name) from exc
    writer = _Writer(numbering)
    _blocks(body, writer)
    return writer.document(name, data, "docx")


def _blocks(parent: Any, writer: _Writer) -> None:
    """Paragraphs and tables in document order, also inside content controls (`w:sdt`) and inside a
    table used for page layout (one that holds other tables: its cells are read as blocks)."""
    for child in parent.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            writer.add(_para_text(child, writer.numbering) + "\n")
        elif tag == "tbl" and any(t is not child for t in child.iter(child.tag)):
            for cell in child.iter(f"{child.tag[:-3]}tc"):  # a layout table holding tables: its cells' blocks
                if cell.getparent().getparent() is child:
                    _blocks(cell, writer)
        elif tag == "tbl":
            writer.word_table(child)
        elif tag in ("sdt", "sdtContent"):
            _blocks(child, writer)


def _check_zip(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:  # the last: unknown zip version
        raise IngestError(f"{name}: not a readable Word .docx (bad zip container: {exc})", path=name) from exc
    if len(infos) > MAX_MEMBERS:
        raise IngestError(f"{name}: zip with {len(infos)} members; refused as a possible zip bomb", path=name)
    total = sum(i.file_size for i in infos)
    bomb = [i.filename for i in infos if i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1)]
    if total > MAX_UNZIPPED or bomb:
        raise IngestError(f"{name}: zip unpacks to {total / 1e6:.0f} MB ({', '.join(bomb[:3]) or 'in all'}); "
                          "refused as a possible zip bomb", path=name, unzipped=total)
    if not any(i.filename == "word/document.xml" for i in infos):
        raise IngestError(f"{name}: a zip container but not a Word .docx (no word/document.xml)", path=name)


def _part(word: Any, which: str) -> Any | None:
    try:
        return word.part.numbering_part.element if which == "numbering" else word.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        return None


def _para_text(p: Any, numbering: Numbering) -> str:
    """The text of a `w:p` after its automatic number: runs' text, tabs and breaks as spaces."""
    out = [numbering.label(p)]
    for el in p.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "t" and el.text:
            out.append(el.text)
        elif tag in ("tab", "br", "cr"):
            out.append(" ")
    return "".join(out).replace("\n", " ").strip()


def _cell_text(tc: Any, numbering: Numbering) -> str:
    """A cell's paragraphs joined; a nested table's text read as paragraphs."""
    parts = [_para_text(p, numbering) for p in tc.iter() if p.tag.rsplit("}", 1)[-1] == "p"]
    out = ""
    for part in (p for p in parts if p):
        out = glue(out, part)
    return out


def _expand(tbl: Any, numbering: Numbering) -> list[list[tuple[str, bool]]]:
    """Rows of (text, spanned) on the table's full grid, gridSpan and vMerge resolved."""
    rows: list[list[tuple[str, bool]]] = []
    for tr in (c for c in tbl.iterchildren() if c.tag.rsplit("}", 1)[-1] == "tr"):
        row: list[tuple[str, bool]] = [("", False)] * int(tr.grid_before or 0)
        for tc in tr.tc_lst:
            span = max(1, min(int(tc.grid_span or 1), 64))
            col = len(row)
            if tc.vMerge == "continue" and rows and col < len(rows[-1]):
                text, spanned = rows[-1][col][0], True
            else:
                text, spanned = _cell_text(tc, numbering), False
            row += [(text, spanned)] + [(text, True)] * (span - 1)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [("", False)] * (width - len(r)) for r in rows]


class _Writer(Rendering):
    def __init__(self, numbering: Numbering) -> None:
        super().__init__()
        self.numbering = numbering

    def word_table(self, tbl: Any) -> None:
        number = len(self.grids) + 1
        self.table([[(text, spanned, {"table": number, "row": r, "col": c}) for c, (text, spanned) in enumerate(row, 1)]
                    for r, row in enumerate(_expand(tbl, self.numbering), 1)])
