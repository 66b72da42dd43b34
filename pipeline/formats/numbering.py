"""Word's automatic list numbers: the `一、` `（一）` `1.` a paragraph shows but its text does not hold.

A numbered paragraph names a list (`w:numId`) and a level (`w:ilvl`), directly or through its
style. The list's abstract definition gives each level a number format (`chineseCounting`,
`decimal`, …), a pattern (`%1、`, `（%1）`, `%1.%2`) and a start. Paragraphs are counted in
document order per list; a number at one level restarts the levels below it.
"""

from __future__ import annotations

from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIGITS = "零一二三四五六七八九"
_CHINESE = {"chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
            "taiwaneseCounting", "taiwaneseCountingThousand", "chineseLegalSimplified"}


def _attr(el: Any, tag: str) -> str | None:
    child = el.find(f"{W}{tag}") if el is not None else None
    return None if child is None else child.get(f"{W}val")


def chinese(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (up to 999)."""
    if n <= 0 or n > 999:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


def _format(n: int, fmt: str) -> str:
    if fmt in _CHINESE:
        return chinese(n)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    return str(n)


class Numbering:
    """The numbering definitions of one .docx, and the counters as its paragraphs are read."""

    def __init__(self, numbering: Any | None, styles: Any | None) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> level -> (format, pattern, start)
        self.styles: dict[str, tuple[str, int]] = {}
        self.counts: dict[str, dict[int, int]] = {}
        if numbering is not None:
            abstract = {a.get(f"{W}abstractNumId"): a for a in numbering.iter(f"{W}abstractNum")}
            for num in numbering.iter(f"{W}num"):
                base = abstract.get(_attr(num, "abstractNumId"))
                if base is not None:
                    self.levels[num.get(f"{W}numId")] = {
                        int(lvl.get(f"{W}ilvl", 0)): (_attr(lvl, "numFmt") or "decimal", _attr(lvl, "lvlText") or "",
                                                      int(_attr(lvl, "start") or 1))
                        for lvl in base.iter(f"{W}lvl")}
        for style in (styles.iter(f"{W}style") if styles is not None else []):
            ppr = style.find(f"{W}pPr")
            num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
            if num_pr is not None and _attr(num_pr, "numId"):
                self.styles[style.get(f"{W}styleId")] = (str(_attr(num_pr, "numId")), int(_attr(num_pr, "ilvl") or 0))

    def label(self, p: Any) -> str:
        """The number a paragraph shows (counting it), or ''."""
        ppr = p.find(f"{W}pPr")
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        num_id, level = (None, 0)
        if num_pr is not None:
            num_id, level = _attr(num_pr, "numId"), int(_attr(num_pr, "ilvl") or 0)
        elif ppr is not None and _attr(ppr, "pStyle") in self.styles:
            num_id, level = self.styles[str(_attr(ppr, "pStyle"))]
        levels = self.levels.get(num_id or "")
        if not levels or level not in levels or levels[level][0] in ("bullet", "none"):
            return ""
        counts = self.counts.setdefault(str(num_id), {})
        counts[level] = counts.get(level, levels[level][2] - 1) + 1
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]
        text = levels[level][1]
        for k, (fmt, _, start) in sorted(levels.items()):
            text = text.replace(f"%{k + 1}", _format(counts.get(k, start), fmt))
        return text
