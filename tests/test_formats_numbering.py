"""Word list numbers: Chinese counting (the reading of whole .docx files is in test_formats_docx.py)."""

from __future__ import annotations

import pytest

from pipeline.formats.numbering import chinese


@pytest.mark.parametrize("n,text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"), (105, "一百零五"),
                                    (110, "一百一十")])
def test_chinese_counting(n, text):
    assert chinese(n) == text
