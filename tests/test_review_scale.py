"""A large batch: the site is built fast enough for 5,000 reports in under a minute.

CI builds 1,000 reports and checks the CPU time per report against that budget (12 ms per
report, index and comparisons included). `NIANBAO_REVIEW_N=5000 pytest tests/test_review_scale.py -s`
builds the full 5,000 and prints the wall and CPU time.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from pipeline.review import build_site
from tests.review_batch import SAMPLES, scaled

BUDGET = 60.0 / 5000  # seconds of CPU per report


def test_large_batch_builds_within_budget(tmp_path: Path) -> None:
    from pipeline.extract import extract
    from pipeline.output import record_path, write_record

    n = int(os.environ.get("NIANBAO_REVIEW_N", "1000"))
    for path in sorted(SAMPLES.iterdir()):
        write_record(extract(path), record_path(tmp_path / "seed", path))
    out = scaled(tmp_path / "seed", tmp_path / "out", n)
    wall, cpu = time.perf_counter(), time.process_time()
    done = build_site(out, tmp_path / "site")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"\n{n} reports, {done.comparisons} comparisons: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({1000 * cpu / n:.1f} ms per report)")
    assert done.reports == n and done.comparisons == n // 5 * 4
    assert cpu / n < BUDGET, f"{1000 * cpu / n:.1f} ms per report; the budget is {1000 * BUDGET:.0f} ms"
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="index-data">(.*?)</script>', index, re.S)[1])
    assert len(data["rows"]) == n and data["page_size"] == 100  # paged in the browser
    assert index.count("<tr") < 200  # the server-side part stays small: the heatmap is capped
