"""Group a table's token stream into rows: each run of value cells under the label it belongs to.

Labels are recognised by the table's `match(label, seen)`. What real layouts do to that pairing:
- a label printed with no values of its own is a group heading (`（三）不予公开`), not a row;
- a label wrapped over two lines, its values on the first (`2.其他法律行政 | 0 | 1 …` then
  `法规禁止公开 | | …`): the pieces are joined until they name a row;
- values printed before their label (PDF text sorted by position: `1 0 0 0 0 0 1` then
  `（一）予以公开`): values left over after a complete row go to the next label that has none;
- stray words (running headers) inside an incomplete row are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from pipeline.tables.tokens import Token

NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十\d]+\)|\d+[.、])+")
MAX_LABEL = 80
Match = Callable[[str, list[str]], "str | None"]


@dataclass
class RowRead:
    """A label and the values read for it (none: a bare label); key None: values no label claims."""

    key: str | None  # None while a wrapped label is not complete yet
    label: Token
    cells: list[Token] = field(default_factory=list)
    text: str = ""  # the label's text so far
    before: list[Token] = field(default_factory=list)  # values printed before the label
    borrowed: bool = False  # its values are ones printed before its label


def near_label(text: str, canon: dict[str, str], allowed: Iterable[str], least: float = 0.75) -> str | None:
    """The row whose form label `text` is a slightly damaged copy of (OCR: `属于国家秘蜜`), if one
    stands out: most of the form label's characters in order, and clearly more than any other row's."""
    text = _clean(re.sub(r"[^\u4e00-\u9fff]", "", text))
    scores = []
    for key in allowed:
        label = canon.get(key, "")
        if len(label) >= 4 and len(text) <= 2 * len(label) + 6:
            hits = sum(b.size for b in SequenceMatcher(None, label, text, autojunk=False).get_matching_blocks())
            scores.append((hits / len(label), key))
    scores.sort(reverse=True)
    if scores and scores[0][0] >= least and (len(scores) == 1 or scores[0][0] - scores[1][0] >= 0.15):
        return scores[0][1]
    return None


def read_rows(tokens: list[Token], match: Match, width: Callable[[str], int],
              fuzzy: Match | None = None) -> list[RowRead]:
    """Rows in order; `fuzzy` names the row of a label no exact pattern knows, when one stands out."""
    reader = _Reader(match, width, fuzzy)
    for tok in tokens:
        reader.feed(tok)
    reader.finish()
    return _drop_repeats(reader.rows)


def _drop_repeats(rows: list[RowRead]) -> list[RowRead]:
    """A label printed twice (a wrapped label's pieces, a repeated header): the copy that only
    borrowed values printed before it gives them back as an orphan run."""
    keys = [r.key for r in rows]
    out = []
    for i, row in enumerate(rows):
        if row.key is not None and row.borrowed and row.key in keys[i + 1:]:
            row = RowRead(None, row.label, row.cells)
        out.append(row)
    return out


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """Value tokens split into the rows their layout ended (`eol`), without the row ends."""
    out: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.kind == "eol":
            out.append([])
        elif tok.kind in ("num", "blank"):
            out[-1].append(tok)
    return [run for run in out if run]


def _clean(text: str) -> str:
    return NUMBERING.sub("", text) or text


class _Reader:
    def __init__(self, match: Match, width: Callable[[str], int], fuzzy: Match | None = None) -> None:
        self.match = match
        self.fuzzy = fuzzy
        self.width = width
        self.rows: list[RowRead] = []
        self.cur: RowRead | None = None
        self.leftover: list[Token] = []
        self.stray = ""  # words after a label that has no values yet: maybe the next label, wrapped

    def seen(self) -> list[str]:
        """Rows read so far, then `@key` for labels printed with no values (their block has begun)."""
        cur = [self.cur.key] if self.cur is not None and self.cur.key and self.cur.cells else []
        bare = [f"@{r.key}" for r in self.rows if r.key and not r.cells]
        return [r.key for r in self.rows if r.key and r.cells] + cur + bare

    def full(self) -> bool:
        cur = self.cur
        return cur is not None and len(cur.cells) >= (self.width(cur.key) if cur.key else 7)

    def _resolve(self) -> None:
        """An unknown label with values of its own: a damaged copy of a form label?"""
        cur = self.cur
        if cur is not None and cur.key is None and self.fuzzy and any(t.kind == "num" for t in cur.cells):
            cur.key = self.fuzzy(cur.text, self.seen())
            if cur.key is not None:  # its first printed row is its values; later rows are orphans
                runs = _runs(cur.cells)
                cur.cells = runs[0] if runs else []
                for run in runs[1:]:
                    self.rows.append(RowRead(None, run[0], run))

    def close(self) -> None:
        self._resolve()
        cur, self.cur = self.cur, None
        if cur is None:
            return
        if cur.key is None:  # values under a label no row pattern knows: orphans for the aligner
            self._orphan(cur.before)
            self._orphan(cur.cells, cur)
            return
        if not any(t.kind == "num" for t in cur.cells):
            before = self._printed_before(cur)
            cur.cells, cur.borrowed = (before, True) if before else (cur.cells, False)
        else:  # values before the label were not its own
            self._orphan(cur.before)
        self.rows.append(cur)  # with no cells: a bare label, kept for its position in the stream

    def _orphan(self, values: list[Token], labelled: RowRead | None = None) -> None:
        """Runs of values no label claims, one per printed row; the first keeps its label's text."""
        for run in _runs(values):
            if any(t.kind == "num" for t in run):
                label, text = (labelled.label, labelled.text) if labelled is not None else (run[0], "")
                self.rows.append(RowRead(None, label, run, text))
                labelled = None

    def finish(self) -> None:
        self.close()
        self._orphan(self.leftover)

    def _printed_before(self, cur: RowRead) -> list[Token]:
        """Values of a label that has none after it: those printed just before it, or the surplus
        of the row before it (PDF text sorted by position puts a centred label after its numbers)."""
        assert cur.key is not None
        if cur.label.col >= 0:  # a grid row's cells are its own, even when all are blank
            return []
        need = self.width(cur.key)
        runs = [run for run in _runs(cur.before) if any(t.kind == "num" for t in run)]  # blank runs: padding
        if runs and len(runs[-1]) >= need:  # the run just before the label; earlier runs are orphans
            for run in runs[:-1]:
                self._orphan(run)
            cur.before = []
            return runs[-1]
        prev = self.rows[-1] if self.rows else None
        if prev is not None and prev.key is not None and len(prev.cells) - self.width(prev.key) >= need:
            surplus = prev.cells[self.width(prev.key):]
            prev.cells = prev.cells[: self.width(prev.key)]
            return surplus
        return []

    def feed(self, tok: Token) -> None:
        if tok.kind == "text":
            self._text(tok)
        elif tok.kind in ("num", "blank"):
            if self.cur is not None:
                self.cur.cells.append(tok)
            elif tok.kind == "num" or self.leftover:
                self.leftover.append(tok)
        elif tok.kind == "eol":
            if self.cur is not None and self.cur.key is not None and self.cur.cells:
                self.close()
            elif self.cur is None and self.leftover:
                self.leftover.append(tok)  # a row of values with no label ends here
            elif self.cur is not None and self.cur.key is None and any(t.kind == "num" for t in self.cur.cells):
                self.cur.cells.append(tok)  # an unknown label's row ends: more values are another row
        elif tok.kind == "barrier":
            self.close()
            self.leftover = []

    def _text(self, tok: Token) -> None:
        cur = self.cur
        alone = self.match(_clean(tok.text), self.seen())
        if alone is None and cur is not None and cur.key is None and len(cur.text) + len(tok.text) <= MAX_LABEL:
            joined = self.match(_clean(cur.text + tok.text), self.seen())
            if joined is not None:  # the second line of a wrapped label
                cur.key, cur.text = joined, cur.text + tok.text
                cur.cells = [t for t in cur.cells if t.kind != "eol"]
                return
        self._resolve()
        if alone is not None:
            pending = cur is not None and cur.key is None and cur.cells
            before = self.leftover
            if pending and cur is not None:
                self._orphan(cur.before)
                before, cur.cells, cur.before = cur.cells, [], []
            self._start(tok, alone, before)
        elif cur is None or cur.key is None or self.full():
            if cur is not None and cur.key is None and len(cur.text) + len(tok.text) <= MAX_LABEL:
                cur.text += tok.text  # header words, or a label still being printed
            else:
                self._start(tok, None, self.leftover)
        elif cur.key is not None and not cur.cells:  # a label printed early, then another one wrapped
            self.stray = (self.stray + tok.text)[-MAX_LABEL:]
            joined = self.match(_clean(self.stray), self.seen())
            if joined is not None and joined != cur.key:
                self._start(tok, joined, self.leftover, text=self.stray)
        # else: a stray word (running header) inside an incomplete row

    def _start(self, tok: Token, key: str | None, before: list[Token], text: str | None = None) -> None:
        self.stray = ""
        self.close()
        self.leftover = []
        self.cur = RowRead(key, tok, text=tok.text if text is None else text, before=list(before))
