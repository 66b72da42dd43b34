"""Turn a table region of a document into a stream of cell tokens, whatever the layout.

Layouts handled: one cell per paragraph (blank cells kept as an extra empty line, or dropped),
`|`-separated cells, tab-indented cells, tab- or pipe-separated rows, free text rows with
numbers separated by spaces (OCR), digits run together, page furniture between rows, and real
HTML grids. The row parser (`pipeline.tables`) reads only this token stream.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from pipeline.core import Document, squash

Kind = Literal["text", "num", "blank", "eol", "barrier"]


class Token(NamedTuple):
    kind: Kind
    text: str  # squashed text (labels) or the number as written
    start: int  # view offsets
    end: int
    value: float | None = None  # numbers only, in the unit written
    unit: str = ""
    splittable: bool = False  # a digit run that may be several cells run together
    spanned: bool = False  # a copy of a merged HTML cell
    col: int = -1  # column of a grid cell (spans expanded); -1 outside grids


NUM_RE = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万元|亿元|元|件|条|项|个|次|人次|%)?$")
BLANK_RE = re.compile(r"^(?:/|／|-+|—+|–+|－+|\\|无|空|——)$")
FURNITURE_RE = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
PROSE_RE = re.compile(r"[。；;!?！？]")
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff”\")）])([+-]?\d+(?:\.\d+)?(?:[+-]\d+(?:\.\d+)?)*(?:万元|元)?)$")
_SEP = re.compile(r"[\t|]")
_PIPES = re.compile(r"[|:\-]*\|[|:\-]*\s*")


def parse_number(text: str) -> tuple[float, str] | None:
    """`'+57'` -> (57, ''), `'161330元'` -> (161330, '元'), `'1,234'` -> (1234, ''); else None."""
    m = NUM_RE.match(text.strip())
    if not m:
        return None
    sign, digits, frac, unit = m.groups()
    value = float(digits.replace(",", "") + (frac or ""))
    return (-value if sign == "-" else value), unit or ""


def tokenize(doc: Document, start: int, end: int) -> list[Token]:
    """Tokens of the view region [start, end). HTML grids inside it are read as grids."""
    out: list[Token] = []
    pos = start
    if "blank_step" not in doc.memo:
        doc.memo["blank_step"] = _blank_step(doc.view)
    step = doc.memo["blank_step"]
    for grid in (g for g in doc.grids if start <= g.start < end):
        out.extend(_text_tokens(doc.view, pos, grid.start, step))
        out.extend(_grid_tokens(grid))
        pos = grid.end
    out.extend(_text_tokens(doc.view, pos, end, step))
    return out


def _blank_step(view: str) -> int:
    """Empty lines per empty paragraph in a one-paragraph-per-line dump: 1 where some gap between
    paragraphs is even (`a\n\n\nb`: paragraphs end in a blank line, an empty one adds one line), 2
    where every gap is odd and some exceed 1 (`a\n\n\n\nb`: paragraphs joined by a blank line)."""
    gaps: set[int] = set()
    run = 0
    for line in view.split("\n"):
        if line.strip():
            gaps.add(run)
            run = 0
        else:
            run += 1
    gaps.discard(0)
    return 2 if gaps and all(g % 2 for g in gaps) and max(gaps) >= 3 else 1


def _grid_tokens(grid) -> list[Token]:  # type: ignore[no-untyped-def]
    out: list[Token] = []
    for row in grid.rows:
        for col, cell in enumerate(row):
            tok = _cell_token(cell.text, cell.start, cell.end, splittable=False)
            if cell.spanned and tok.kind == "text":
                continue  # a merged label: one label, not several cells
            if cell.spanned:
                tok = Token("blank", "", cell.start, cell.end, spanned=True)
            out.append(tok._replace(col=col))
        if row:
            out.append(Token("eol", "", row[-1].end, row[-1].end))
    return out


def _cell_token(text: str, start: int, end: int, splittable: bool) -> Token:
    stripped = text.strip()
    if not stripped or BLANK_RE.match(stripped):
        return Token("blank", "", start, end)
    num = parse_number(stripped)
    if num is not None:
        lead = len(text) - len(text.lstrip())
        return _num_token(stripped, start + lead, num, splittable)
    return Token("text", squash(stripped), start, end)


def _num_token(text: str, start: int, num: tuple[float, str], splittable: bool) -> Token:
    body = text[: len(text) - len(num[1])].rstrip() if num[1] in ("元", "万元") else text
    digits = body.split(".")[0] if body.count(".") == 1 and num[1] in ("元", "万元") else body
    digits = digits.lstrip("+-")  # `+40` run together may be `+4` and `0`: the sign goes with the first
    split_ok = splittable and len(digits) > 1 and digits.isdigit()
    return Token("num", text, start, start + len(text), num[0], num[1], split_ok)


def _lines(view: str, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    for line in view[start:end].split("\n"):
        out.append((pos, line.rstrip("\r")))
        pos += len(line) + 1
    return out


def _text_tokens(view: str, start: int, end: int, step: int = 1) -> list[Token]:
    lines = _lines(view, start, end)
    content = [(i, s, t) for i, (s, t) in enumerate(lines) if (t.strip() or "\t" in t) and not _only_pipes(t)]
    if not content:
        return []
    double = _double_spaced(lines, [i for i, _, _ in content])
    cell_lines = _cells_per_line(content)
    out: list[Token] = []
    prev = -1
    for i, s, line in content:
        if double and prev >= 0:
            for k in range((i - prev - 2) // step):  # each empty paragraph is one empty cell
                at = lines[prev + 2 + k * step][0]
                out.append(Token("blank", "", at, at))
        prev = i
        fast = _one_cell(s, line) if cell_lines else None
        if fast is not None:
            out.append(fast)
        elif not FURNITURE_RE.match(line):
            out.extend(_line_tokens(s, line, cell_lines))
    if double:  # empty cells after the last one run up to the region's end
        last = len(lines) - 1
        out.extend(Token("blank", "", lines[prev + 2 + k * step][0], lines[prev + 2 + k * step][0])
                   for k in range((last - prev - 2) // step))
    return out


def _one_cell(start: int, line: str) -> Token | None:
    """The common case of one-cell-per-line layouts, without the general machinery: a bare number
    (`0`, `\t12`, `3 |`) or a bare label. None for anything else."""
    cell = line.strip(" \t|")
    if not cell or _SEP.search(cell) or _INNER_SPACE.search(cell):
        return None
    at = start + line.index(cell)
    if cell[0].isdigit():
        num = parse_number(cell)
        return _num_token(cell, at, num, False) if num is not None else None
    if _DIGIT.search(cell) or BLANK_RE.match(cell) or len(cell) > 60:
        return None
    return Token("text", squash(cell), at, at + len(cell))


def _only_pipes(line: str) -> bool:
    """Row rules: `|`, `||||`, `|---|---|`. A line ` |` (space first) is an empty cell instead."""
    return "|" in line and _PIPES.fullmatch(line) is not None


def _double_spaced(lines: list[tuple[int, str]], content_idx: list[int]) -> bool:
    """A .docx dump: every paragraph is followed by an empty line."""
    if len(content_idx) < 6:
        return False
    followed = sum(1 for i in content_idx if i + 1 < len(lines) and not lines[i + 1][1].strip())
    return followed >= 0.9 * len(content_idx)


def _cells_per_line(content: list[tuple[int, int, str]]) -> bool:
    """True when separated lines hold one cell each (`\\t0`, `0 |`), not a whole row."""
    separated = [t for _, _, t in content[:200] if _SEP.search(t)]  # a sample decides the layout
    if not separated:
        return True
    single = sum(1 for t in separated if sum(1 for c in _SEP.split(t) if c.strip()) <= 1)
    return single >= 0.7 * len(separated)


def _line_tokens(start: int, line: str, cell_lines: bool) -> list[Token]:
    stripped = line.strip()
    if len(stripped) > 24 and _is_prose_line(stripped):
        return [Token("barrier", squash(stripped)[:40], start, start + len(line))]
    if _SEP.search(line) and not cell_lines:
        return _row_tokens(start, line)
    if _SEP.search(line):
        cell = _SEP.sub(" ", line)
        if not cell.strip():
            return [Token("blank", "", start, start)]
        return _free_tokens(start, cell)
    return _free_tokens(start, line)


_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
_FORM_WORDS = re.compile(r"结果维持|结果纠正|其他结果|尚未审结|总计|未经复议直接起诉|复议后起诉|行政复议|行政诉讼|申请人情况|自然人"
                         r"|法人或其他组织|商业企业|科研机构|社会公益组织|法律服务机构|其他|信息内容|本年制发件数|本年废止件数"
                         r"|现行有效件数|本年处理决定数量|本年收费金额|单位|万元|[()（）:：]")


def _is_prose_line(stripped: str) -> bool:
    """A sentence, not a row: sentence punctuation, or very long once the column padding is gone
    (unless it is the form's own header words run together)."""
    flat = squash(stripped)
    size = len(flat)
    if size <= 24:
        return False
    if PROSE_RE.search(stripped):
        return True
    return size > 80 and len(_NOT_CJK.sub("", _FORM_WORDS.sub("", flat))) > size // 5


def _row_tokens(start: int, line: str) -> list[Token]:
    """A whole row on one line, cells split by tabs or pipes (markdown edges dropped)."""
    parts: list[tuple[int, str]] = []
    pos = 0
    for piece in _SEP.split(line):
        parts.append((pos, piece))
        pos += len(piece) + 1
    if "|" in line and line.strip().startswith("|"):
        parts = parts[1:]
    if "|" in line and line.strip().endswith("|") and parts and not parts[-1][1].strip():
        parts = parts[:-1]
    out = []
    for off, piece in parts:
        tok = _cell_token(piece, start + off, start + off + len(piece), splittable=False)
        if tok.kind == "text":
            out.extend(_free_tokens(start + off, piece))
        else:
            out.append(tok)
    out.append(Token("eol", "", start + len(line), start + len(line)))
    return out


_NOTE = r"\((?=[^()]*[\u4e00-\u9fff])[^()]*\)"  # `(其中修订 16 件)`: a note, one text piece whatever it holds
_PIECE = re.compile(rf"{_NOTE}|\d+(?:\.\d+)?(?={_NOTE})|\S+")
_DIGIT = re.compile(r"\d")
_NOTED = re.compile(rf"\d+(?:\.\d+)?{_NOTE}")
_BLANK_PIECE = re.compile(r"(?:^|\s)(?:/|／|-+|—+|–+|－+|\\|无|空)(?=\s|$)")
_SIGNED_JAM = re.compile(r"[+-]?\d+(?:[+-]\d+)+(?:万元|元)?")
_SIGNED_PART = re.compile(r"[+-]?\d+(?:万元|元)?")
_INNER_SPACE = re.compile(r"\s")


def _free_tokens(start: int, line: str) -> list[Token]:
    """Free text: numbers are whitespace-delimited; text between them is one label token."""
    stripped = line.strip()
    lead = len(line) - len(line.lstrip())
    if not _DIGIT.search(stripped) and not _BLANK_PIECE.search(stripped):  # a label: the common case
        return [Token("text", squash(stripped), start + lead, start + lead + len(stripped))]
    if not _INNER_SPACE.search(stripped) and not _NOTED.match(stripped):  # one piece: a number, a blank or a label
        num = parse_number(stripped)
        if num is not None:
            return [_num_token(stripped, start + lead, num, False)]
        if BLANK_RE.match(stripped):
            return [Token("blank", "", start + lead, start + lead + len(stripped))]
        if not _GLUED.match(stripped) and not _SIGNED_JAM.fullmatch(stripped):
            return [Token("text", squash(stripped), start + lead, start + lead + len(stripped))]
    pieces = [(m.start(), m.group()) for m in _PIECE.finditer(line)]
    alone = len(pieces) == 1
    out: list[Token] = []
    text_from: int | None = None
    text_to = 0
    for i, (off, piece) in enumerate(pieces):
        glued = _GLUED.match(piece)
        after = pieces[i + 1][1] if i + 1 < len(pieces) else ""
        dated = (after[:1] in tuple("年月日号页时期") or (after[:1] in (".", "、") and not after[1:2].isdigit())
                 or (i and pieces[i - 1][1].endswith("第")))
        if glued and not dated:  # `行政许可2293`: the label, then its digits with no separator
            text_from = off if text_from is None else text_from
            text_to = off + len(glued.group(1))
            piece, off = glued.group(2), off + len(glued.group(1))
        signed = None if dated else _SIGNED_JAM.fullmatch(piece)
        if signed:  # "185+43" or "301-41": a sign starts the next cell
            for k, m in enumerate(_SIGNED_PART.finditer(piece)):
                if text_from is not None:
                    out.append(Token("text", squash(line[text_from:text_to]), start + text_from, start + text_to))
                    text_from = None
                tok = _cell_token(m.group(), start + off + m.start(), start + off + m.end(), splittable=False)
                out.append(tok._replace(splittable=k > 0 and len(m.group()) > 2))  # "+63935" may hide two cells
            continue
        if dated or (parse_number(piece) is None and not BLANK_RE.match(piece) and not glued):
            text_from = off if text_from is None else text_from
            text_to = off + len(piece)
            continue
        if text_from is not None:
            out.append(Token("text", squash(line[text_from:text_to]), start + text_from, start + text_to))
            text_from = None
        jammed = not alone or bool(glued) or (len(piece) > 1 and piece[0] == "0" and piece.isdigit())
        out.append(_cell_token(piece, start + off, start + off + len(piece), splittable=jammed))
    if text_from is not None:
        out.append(Token("text", squash(line[text_from:text_to]), start + text_from, start + text_to))
    return out
