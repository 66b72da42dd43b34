"""`nianbao review OUT`: a static site of a batch's records that opens from the file system."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core import ReviewError
from pipeline.review.compare import Comparison, compare, pairs
from pipeline.review.index import heatmap, index_rows, rule_counts
from pipeline.review.load import Loaded, load_batch
from pipeline.review.pages import ASSETS, asset, render
from pipeline.review.pdfpages import page_images
from pipeline.review.report import page_context

INDEX_PAGE_SIZE = 100


@dataclass
class SiteSummary:
    site: Path
    reports: int = 0
    comparisons: int = 0
    carry_breaks: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build_site(out_dir: Path, site_dir: Path, sources: Path | None = None) -> SiteSummary:
    """Write `site_dir/index.html`, `reports/`, `compare/`, `records/` and `assets/` for the
    records in `out_dir` (with source excerpts when `sources` holds the reports' files)."""
    began = time.perf_counter()
    if not out_dir.is_dir():
        raise ReviewError(f"{out_dir} is not a folder of records", path=str(out_dir))
    if sources is not None and not sources.is_dir():
        raise ReviewError(f"--sources {sources} is not a folder", path=str(sources))
    batch = load_batch(out_dir, sources)
    if not batch.reports:
        raise ReviewError(f"no records in {out_dir}", path=str(out_dir), problems=batch.problems)
    for sub in ("reports", "compare", "records", "assets", "pages"):
        (site_dir / sub).mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        _write(site_dir / "assets" / name, asset(name))
    for item in batch.reports:
        pages = _page_images(item, site_dir / "pages")
        _write(site_dir / "reports" / f"{item.stem}.html",
               render("report.html.j2", root="../", **page_context(item, pages)))
        shutil.copyfile(item.path, site_dir / "records" / f"{item.stem}.json")
    comparisons: list[Comparison] = [compare(a, b) for a, b in pairs(batch.reports)]
    for c in comparisons:
        _write(site_dir / "compare" / c.page, render("compare.html.j2", root="../", c=c))
    breaks = [c for c in comparisons if c.breaks]
    _write(site_dir / "index.html", render(
        "index.html.j2", root="", rows=index_rows(batch.reports, comparisons), rules=rule_counts(batch.reports),
        heat=heatmap(batch.reports), breaks=breaks, problems=batch.problems, page_size=INDEX_PAGE_SIZE,
        comparisons=len(comparisons), sources=sum(1 for r in batch.reports if r.text is not None)))
    return SiteSummary(site_dir, len(batch.reports), len(comparisons), sum(c.breaks for c in comparisons),
                       batch.problems, time.perf_counter() - began)


def _page_images(item: Loaded, folder: Path) -> dict[int, list[Any]]:
    """Images of the PDF pages the record's cells were read from (a PDF source with boxes only)."""
    pages = {s.page for s in item.record.provenance.values() if s.page is not None and s.box is not None}
    if item.source is None or item.source.suffix.lower() != ".pdf" or not pages:
        return {}
    return page_images(item.source.read_bytes(), pages, folder, item.stem)


def _write(path: Path, text: str) -> None:
    """Atomic write: a page is either the old one or the new one, never half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
