"""The review site in headless Chromium (Debian's chromium + chromium-driver, driven by Selenium).

Built from the samples plus a generated three-year series with a planted carry break. Skips only
where chromium/chromedriver are missing and not in CI (`.ci/run` installs both; in CI it fails).
Set NIANBAO_SCREENSHOTS=docs/img to rewrite the README's screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.review import build_site
from tests.review_batch import AGENCY, PLANTED, review_batch

CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:  # pragma: no cover - selenium is in the test extras
    webdriver = None  # type: ignore[assignment]

MISSING = [n for n, ok in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER), ("selenium", webdriver)) if not ok]
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"CI must run the browser test; missing {MISSING} (.ci/run installs them)")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"missing {MISSING}")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("review")
    out, sources = review_batch(root)
    build_site(out, root / "site", sources)
    return root / "site", sources


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    yield browser
    browser.quit()


def _console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _shot(driver: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / name))
    assert (folder / name).stat().st_size > 10_000


def _records(site: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (site / "records").glob("*.json")}


def test_index_sorts_worst_first(site: tuple[Path, Path], driver: Any, tmp_path: Path) -> None:
    driver.get((site[0] / "index.html").as_uri())
    errors = {stem: sum(f["severity"] == "error" for f in r["findings"]) for stem, r in _records(site[0]).items()}
    worst = max(errors.values())
    first_by_name = driver.find_element(By.CSS_SELECTOR, "#reports tbody tr td.err").text
    driver.find_element(By.ID, "sort-errors").click()
    cells = [int(td.text) for td in driver.find_elements(By.CSS_SELECTOR, "#reports tbody tr td.err")]
    assert cells[0] == worst and cells == sorted(cells, reverse=True)
    assert int(first_by_name) < worst  # in the default order (by name) the worst is not on top
    assert len(cells) == len(errors)
    _shot(driver, "review-index.png", tmp_path)
    assert _console_errors(driver) == []


def test_index_filters(site: tuple[Path, Path], driver: Any) -> None:
    driver.get((site[0] / "index.html").as_uri())
    driver.find_element(By.ID, "filter").send_keys(AGENCY)
    rows = driver.find_elements(By.CSS_SELECTOR, "#reports tbody tr")
    assert len(rows) == 3 and all(AGENCY in r.text for r in rows)
    assert _console_errors(driver) == []
    rows[0].find_element(By.CSS_SELECTOR, "td:last-child a").click()  # the links the script makes lead somewhere
    assert driver.find_element(By.ID, "carry-result").text == "2 breaks"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#cells tbody tr")) == 200  # every cell of the 2021 form
    assert _console_errors(driver) == []


def _error_cell(records: dict[str, dict[str, Any]]) -> tuple[str, str, dict[str, int]]:
    """A (report, cell) named by an error finding and read from a span of the source."""
    for stem, r in sorted(records.items()):
        for f in r["findings"]:
            for cell in f["cells"]:
                if f["severity"] == "error" and cell in r["provenance"]:
                    return stem, cell, r["provenance"][cell]
    raise AssertionError("no error finding names a cell read from the source")


def test_clicking_a_cell_with_a_finding_shows_its_source_highlighted(site: tuple[Path, Path], driver: Any,
                                                                     tmp_path: Path) -> None:
    records = _records(site[0])
    stem, cell, span = _error_cell(records)
    text = (site[1] / records[stem]["source"]["name"]).read_text(encoding="utf-8")
    driver.get((site[0] / "reports" / f"{stem}.html").as_uri())
    td = driver.find_element(By.CSS_SELECTOR, f'td[data-path="{cell}"]')
    assert "sev-error" in td.get_attribute("class")
    td.click()
    mark = driver.find_element(By.CSS_SELECTOR, "#source mark")
    assert mark.text == text[span["start"]:span["end"]] == td.text
    assert mark.is_displayed()
    assert text[span["end"]:span["end"] + 20].strip()[:5] in driver.find_element(By.ID, "source").text
    assert driver.find_elements(By.CSS_SELECTOR, "#panel-findings li.sev-error")
    _shot(driver, "review-report.png", tmp_path)
    assert _console_errors(driver) == []


def test_clicking_a_narrative_finding_highlights_its_sentence(site: tuple[Path, Path], driver: Any) -> None:
    records = _records(site[0])
    stem, i, f = next((s, i, f) for s, r in sorted(records.items()) for i, f in enumerate(r["findings"])
                      if f["rule"] == "narrative.percent")
    driver.get((site[0] / "reports" / f"{stem}.html").as_uri())
    driver.find_element(By.CSS_SELECTOR, f'li.finding[data-i="{i}"]').click()
    quoted = f["message"].split('"')[1]
    assert driver.find_element(By.CSS_SELECTOR, "#source mark").text == quoted
    assert _console_errors(driver) == []


def test_an_html_source_is_shown_as_text(site: tuple[Path, Path], driver: Any) -> None:
    driver.get((site[0] / "reports" / "clean_2021.html").as_uri())
    driver.find_element(By.CSS_SELECTOR, 'td[data-path="active_disclosure.regulations.in_force"]').click()
    assert driver.find_element(By.CSS_SELECTOR, "#source mark").text == "5"
    shown = driver.find_element(By.ID, "source").text
    assert "规章" in shown and "<td" not in shown and "</tr>" not in shown
    assert _console_errors(driver) == []


def test_a_pdf_cell_shows_its_box_on_its_page(site: tuple[Path, Path], driver: Any, tmp_path: Path) -> None:
    record = _records(site[0])["hzq_2023"]
    path = "active_disclosure.regulations.issued"
    span = record["provenance"][path]
    driver.get((site[0] / "reports" / "hzq_2023.html").as_uri())
    driver.find_element(By.CSS_SELECTOR, f'td[data-path="{path}"]').click()
    image = driver.find_element(By.CSS_SELECTOR, "#page-image img")
    driver.execute_script("return arguments[0].decode()", image)
    assert driver.execute_script("return arguments[0].naturalWidth", image) > 500  # the page image loaded
    box = driver.find_element(By.CSS_SELECTOR, "#page-image .box")
    left = float(box.get_attribute("style").split("left:")[1].split("%")[0])
    assert abs(left - 100 * span["box"][0] / 595) < 0.01  # A4 width in points
    assert driver.find_element(By.CSS_SELECTOR, "#source mark").text == str(record["active_disclosure"]["regulations"]["issued"])
    _shot(driver, "review-pdf.png", tmp_path)
    assert _console_errors(driver) == []


def test_comparison_shows_the_planted_carry_break(site: tuple[Path, Path], driver: Any, tmp_path: Path) -> None:
    page = site[0] / "compare" / f"{AGENCY}_2021__{AGENCY}_2022.html"
    driver.get(page.as_uri())
    broken = driver.find_elements(By.CSS_SELECTOR, "#carry tr.carry-break")
    assert {tr.get_attribute("data-column") for tr in broken} == {PLANTED[0], "total"}
    assert driver.find_element(By.ID, "carry-result").text == "2 breaks"
    _shot(driver, "review-compare.png", tmp_path)
    assert _console_errors(driver) == []
    driver.get((site[0] / "compare" / f"{AGENCY}_2022__{AGENCY}_2023.html").as_uri())
    assert not driver.find_elements(By.CSS_SELECTOR, "#carry tr.carry-break")
    assert driver.find_element(By.ID, "carry-result").text == "0 breaks"
