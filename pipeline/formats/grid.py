"""Tables from ruling lines: the drawn grid of a page (or of a table continued over pages) as cells.

Rules that touch form one table. Its row and column boundaries are the positions of its
horizontal and vertical rules; a boundary separates two neighbouring unit cells only where a
rule is actually drawn there, so a cell with no rule through it spans several unit cells (a
vertical `本年度办理结果`, a three-level header, a band row across the table). Words go to the
unit cell holding their centre. A "table" of a single column is not a table (a framed
paragraph, a text box): its words stay prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.formats.page import Rule, Word
from pipeline.formats.render import glue

TOL = 3.0  # points: a rule reaching this close to a point covers it
MERGE = 4.0  # points: rule positions this close are one boundary (double lines, a page seam)
MAX_RULES = 1500  # a page with more drawn segments is a drawing, not a form: no tables (bounded time)


@dataclass
class Piece:
    """The rules of one connected table on one page, and the words inside it."""

    page: int
    rules: list[Rule]
    words: list[Word] = field(default_factory=list)
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0


@dataclass
class Cell:
    text: str
    page: int
    box: tuple[float, float, float, float]  # on its page: x0, y0, x1, y1 (points, origin top-left)
    spanned: bool = False  # a unit cell covered by a merged cell (the text is the merged cell's)


@dataclass
class Table:
    pieces: list[Piece]
    rows: list[list[Cell]]


def find_pieces(page: int, rules: list[Rule], words: list[Word]) -> tuple[list[Piece], list[Word]]:
    """The table pieces of a page (at least two columns and one row) and the words outside them."""
    if len(rules) > MAX_RULES:
        return [], words
    pieces = []
    for group in _components(rules):
        xs = {round(r.x0) for r in group if not r.horizontal}
        hs = [r for r in group if r.horizontal]
        if len(xs) < 2 and len(hs) < 2:
            continue
        piece = Piece(page, group, x0=min(r.x0 for r in group), y0=min(r.y0 for r in group),
                      x1=max(r.x1 for r in group), y1=max(r.y1 for r in group))
        if len(_columns(piece)) >= 3:
            pieces.append(piece)
    rest: list[Word] = []
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2
        home = next((p for p in pieces if p.x0 <= cx <= p.x1 and p.y0 <= cy <= p.y1), None)
        (home.words if home else rest).append(w)
    return pieces, rest


def build_table(pieces: list[Piece]) -> Table | None:
    """One table from pieces stacked in order (a table continued on the next page)."""
    rules, words, shifts = _stack(pieces)
    xs = _cluster([r.x0 for r in rules if not r.horizontal] + [min(r.x0 for r in rules), max(r.x1 for r in rules)])
    ys = _cluster([r.y0 for r in rules if r.horizontal] + [min(r.y0 for r in rules), max(r.y1 for r in rules)])
    if len(xs) < 3 or len(ys) < 2:
        return None
    owner = _regions(rules, xs, ys)
    texts: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        unit = _unit(xs, ys, (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2)
        if unit is not None:
            texts.setdefault(owner[unit], []).append(w)
    extent: dict[tuple[int, int], list[int]] = {}
    for (r, c), o in owner.items():
        e = extent.setdefault(o, [r, c, r, c])
        e[2], e[3] = max(e[2], r), max(e[3], c)
    rows = []
    for r in range(len(ys) - 1):
        row = []
        for c in range(len(xs) - 1):
            o = owner[(r, c)]
            r0, c0, r1, c1 = extent[o]
            page, dy = _page_of(shifts, ys[r0])
            box = (round(xs[c0], 1), round(ys[r0] - dy, 1), round(xs[c1 + 1], 1), round(ys[r1 + 1] - dy, 1))
            row.append(Cell(join_words(texts.get(o, [])), page, box, spanned=o != (r, c)))
        rows.append(row)
    return Table(pieces, rows)


def join_words(words: list[Word]) -> str:
    """Words of one cell in reading order: lines top to bottom, joined as a wrapped line is
    (no space, unless between two Latin letters), words in a line as `line_text` spaces them."""
    out = ""
    for line in lines_of(words):
        out = glue(out, line_text(line))
    return out


def line_text(words: list[Word], tabbed: bool = False) -> str:
    """One line's words left to right: a space where the gap reads as one, a tab (`tabbed`: prose,
    where a column of a table without rules is only a gap) where it is wider than two glyphs."""
    out = ""
    prev: Word | None = None
    for w in words:
        if prev is not None:
            gap, size = w.x0 - prev.x1, max(prev.y1 - prev.y0, w.y1 - w.y0, 1.0)
            out += "\t" if tabbed and gap > 2 * size else " " if gap > _space(prev.text, w.text) * size else ""
        out += w.text.strip()
        prev = w
    return out


def _space(left: str, right: str) -> float:
    """The gap (in glyph heights) that reads as a space: small between Latin letters or digits,
    a full glyph between Chinese characters (justified lines spread them apart)."""
    latin = left.rstrip()[-1:].isascii() and right.lstrip()[:1].isascii()
    return 0.2 if latin else 1.0


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (by vertical overlap), each sorted left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0)):
        cy = (w.y0 + w.y1) / 2
        if lines:
            last = lines[-1]
            ly = sum((v.y0 + v.y1) / 2 for v in last) / len(last)
            if abs(cy - ly) < max(w.y1 - w.y0, 1.0) * 0.5:
                last.append(w)
                continue
        lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _stack(pieces: list[Piece]) -> tuple[list[Rule], list[Word], list[tuple[float, int, float]]]:
    """Pieces moved under one another: rules, words, and (start y, page, shift) per piece."""
    rules: list[Rule] = []
    words: list[Word] = []
    shifts = []
    bottom = None
    for p in pieces:
        dy = 0.0 if bottom is None else bottom - p.y0
        shifts.append((p.y0 + dy, p.page, dy))
        rules += [Rule(r.x0, r.y0 + dy, r.x1, r.y1 + dy) for r in p.rules]
        words += [Word(w.text, w.x0, w.y0 + dy, w.x1, w.y1 + dy, w.score) for w in p.words]
        bottom = p.y1 + dy
    return rules, words, shifts


def _page_of(shifts: list[tuple[float, int, float]], y: float) -> tuple[int, float]:
    page, dy = shifts[0][1], shifts[0][2]
    for start, p, d in shifts:
        if y >= start - TOL:
            page, dy = p, d
    return page, dy


def _regions(rules: list[Rule], xs: list[float], ys: list[float]) -> dict[tuple[int, int], tuple[int, int]]:
    """Unit cell -> the unit cell owning its merged region (top-left first)."""
    parent = {(r, c): (r, c) for r in range(len(ys) - 1) for c in range(len(xs) - 1)}

    def find(u: tuple[int, int]) -> tuple[int, int]:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    verticals = [r for r in rules if not r.horizontal]
    horizontals = [r for r in rules if r.horizontal]
    for r in range(len(ys) - 1):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(1, len(xs) - 1):
            if not any(abs(v.x0 - xs[c]) < TOL and v.y0 - TOL <= ymid <= v.y1 + TOL for v in verticals):
                union((r, c - 1), (r, c))
    for c in range(len(xs) - 1):
        xmid = (xs[c] + xs[c + 1]) / 2
        for r in range(1, len(ys) - 1):
            if not any(abs(h.y0 - ys[r]) < TOL and h.x0 - TOL <= xmid <= h.x1 + TOL for h in horizontals):
                union((r - 1, c), (r, c))
    return {u: find(u) for u in parent}


def _unit(xs: list[float], ys: list[float], x: float, y: float) -> tuple[int, int] | None:
    r = next((i for i in range(len(ys) - 1) if ys[i] <= y < ys[i + 1]), None)
    c = next((i for i in range(len(xs) - 1) if xs[i] <= x < xs[i + 1]), None)
    return None if r is None or c is None else (r, c)


def _columns(piece: Piece) -> list[float]:
    verticals = [r.x0 for r in piece.rules if not r.horizontal]
    return _cluster(verticals + [piece.x0, piece.x1])


def _cluster(values: list[float]) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= MERGE:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _components(rules: list[Rule]) -> list[list[Rule]]:
    """Rules that touch or cross (within TOL), grouped."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    boxes = [(min(r.x0, r.x1) - TOL, min(r.y0, r.y1) - TOL, max(r.x0, r.x1) + TOL, max(r.y0, r.y1) + TOL)
             for r in rules]
    order = sorted(range(len(rules)), key=lambda i: boxes[i][1])
    for n, i in enumerate(order):
        for j in order[n + 1:]:
            if boxes[j][1] > boxes[i][3]:
                break
            a, b = boxes[i], boxes[j]
            if a[0] <= b[2] and b[0] <= a[2]:
                parent[find(i)] = find(j)
    groups: dict[int, list[Rule]] = {}
    for i, r in enumerate(rules):
        groups.setdefault(find(i), []).append(r)
    return list(groups.values())
