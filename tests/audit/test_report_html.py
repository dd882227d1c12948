"""Tests for beancan.audit.report_html: a self-contained page that shows what a care lead needs."""

from __future__ import annotations

import copy
import csv
import os
import re
from pathlib import Path

import pytest

from beancan.audit.engine import AuditResult, audit_file
from beancan.audit.readers import TWCS_COLUMNS
from beancan.audit.report_html import fmt_duration, fmt_pct, render_html, write_html

TWCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twcs_sample.csv"
CHROMIUM = Path("/usr/bin/chromium")
HEADER = list(TWCS_COLUMNS)

needs_sample = pytest.mark.skipif(not TWCS.exists(), reason=f"sample export missing: {TWCS}")


@pytest.fixture(scope="module")
def sample() -> AuditResult:
    if not TWCS.exists():
        pytest.skip(f"sample export missing: {TWCS}")
    return audit_file(TWCS, sentiment=False)


@pytest.fixture(scope="module")
def sample_html(sample: AuditResult) -> str:
    return render_html(sample)


def _twcs(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _when(minutes: int) -> str:
    day, minute = divmod(minutes, 24 * 60)
    return f"Tue Oct {3 + day:02d} {minute // 60:02d}:{minute % 60:02d}:00 +0000 2017"


# --- self-contained ----------------------------------------------------------------------------


@needs_sample
def test_no_external_resources(sample_html: str) -> None:
    page = sample_html.lower()
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "<script src" not in page and "<script" not in page
    assert "<link" not in page
    assert "@import" not in page and "@font-face" not in page
    assert "<img" not in page and "<iframe" not in page


@needs_sample
def test_sections_in_order(sample_html: str) -> None:
    headings = [
        "Headline figures",
        "Against published expectations",
        "Per brand",
        "First-response distribution",
        "Hour of week",
        "Repeat contacts",
        "Canned vs personal",
        "Sentiment before and after",
        "Longest waits",
        "Rejected records",
        "How these are measured",
    ]
    positions = [sample_html.find(f'">{h}') for h in headings]
    assert all(p > 0 for p in positions), dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    # Every chart is labelled for assistive technology.
    svgs = re.findall(r"<svg\b[^>]*>", sample_html)
    assert len(svgs) >= 6
    assert all('role="img"' in s and "aria-labelledby" in s for s in svgs)


@needs_sample
def test_content_of_sample(sample: AuditResult, sample_html: str) -> None:
    assert "twcs_sample.csv" in sample_html
    text = re.sub(r"<[^>]+>", "", sample_html)
    assert "target: first response within 60 min" in text
    rows = sample.report["rows"]
    assert f"rows: {rows['valid']:,} valid, {rows['rejected']:,} rejected" in text
    assert "not measured (--no-sentiment)" in sample_html
    for brand in ("AmazonHelp", "AppleSupport", "Delta", "sprintcare"):
        assert f'<th scope="row">{brand}</th>' in sample_html
    assert sample_html.count('class="cell"') == 168
    assert "Lithium" in sample_html and "Simply Measured" in sample_html
    assert "2589" in sample_html
    median = sample.report["overall"]["first_response_seconds"]["median"]
    assert fmt_duration(median) in sample_html
    assert fmt_pct(sample.report["overall"]["response_rate"]) in sample_html


def test_formats() -> None:
    assert fmt_duration(None) == "–"
    assert fmt_duration(42) == "42 s"
    assert fmt_duration(13 * 60 + 10) == "13 min"
    assert fmt_duration(2.4 * 3600) == "2.4 h"
    assert fmt_duration(3 * 86400) == "3 d"
    assert fmt_pct(None) == "–"
    assert fmt_pct(0.72) == "72.0%"
    assert fmt_pct(1 / 3) == "33.3%"


# --- robustness --------------------------------------------------------------------------------


def test_only_customer_messages(tmp_path: Path) -> None:
    """Nothing answered, no sentiment: the page still renders and says so."""
    path = _twcs(
        tmp_path / "customers.csv",
        [
            [1, "101", "True", _when(0), "@AcmeHelp my order never came", "", ""],
            [2, "102", "True", _when(90), "@AcmeHelp hello?? anyone", "", ""],
            [3, "101", "True", _when(95), "@AcmeHelp still waiting", "", 1],
        ],
    )
    result = audit_file(path, sentiment=False)
    assert not result.report["overall"]["answered"]
    page = render_html(result)
    assert "not measured (--no-sentiment)" in page
    assert page.count('class="cell"') == 168
    out = write_html(result, tmp_path / "out" / "report.html")
    assert out.read_text(encoding="utf-8") == page


def test_empty_and_hostile_values(tmp_path: Path) -> None:
    """Missing details, None everywhere and markup in user data render escaped."""
    assert "beancan audit" in render_html(AuditResult({}, {}))
    assert "beancan audit" in render_html(AuditResult({"overall": None, "brands": None}, None))

    path = _twcs(
        tmp_path / "x.csv",
        [
            [1, "101", "True", _when(0), "@AcmeHelp help", 2, ""],
            [2, "AcmeHelp", "False", _when(5), "@101 Sure, DM us ^AB", "", 1],
        ],
    )
    result = audit_file(path, sentiment=False)
    report = copy.deepcopy(result.report)
    evil = '<script>alert("x")</script>'
    report["brands"][evil] = copy.deepcopy(report["brands"]["AcmeHelp"])
    report["brands"][evil]["sentiment"] = None
    report["brands"][evil]["first_response_seconds"] = None
    report["rows"]["rejections"] = [{"line": 7, "reason": f"bad <b>value</b> {evil}"}]
    report["rows"]["rejected"] = 1
    details = dict(result.details, sentiment_model="lexicon", time_span=None)
    details["longest_waits"] = [{"conversation": evil, "brand": evil, "wait_seconds": None}]
    page = render_html(AuditResult(report, details))
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "bad &lt;b&gt;value&lt;/b&gt;" in page


def test_many_brands(tmp_path: Path) -> None:
    rows: list[list[object]] = []
    tid = 1
    for b in range(100):
        for c in range(1 + b % 3):
            start = b * 7 + c * 3
            rows.append(
                [tid, str(1000 + b * 10 + c), "True", _when(start), f"@Brand{b} hi", "", ""]
            )
            if c == 0 or (b + c) % 4:
                rows.append([tid + 1, f"Brand{b}", "False", _when(start + b), "@x ok", "", tid])
            tid += 2
    result = audit_file(_twcs(tmp_path / "many.csv", rows), sentiment=False)
    assert len(result.report["brands"]) >= 100
    page = render_html(result)
    assert page.count('<th scope="row">') == len(result.report["brands"]) + 1
    assert "Brand99" in page


def test_rejections_are_capped() -> None:
    report = {
        "source": "big.csv",
        "rows": {
            "valid": 1,
            "rejected": 450,
            "rejections": [{"line": n, "reason": "broken"} for n in range(2, 452)],
        },
    }
    page = render_html(AuditResult(report, {}))
    assert page.count('<td class="reason">broken</td>') == 200
    assert "250 more" in page


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
@needs_sample
def test_in_browser(sample: AuditResult, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        message = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):  # CI must run what users see, not skip it
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    path = write_html(sample, tmp_path / "report.html")
    url = path.resolve().as_uri()
    external: list[str] = []

    def gate(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", gate)
            page.on(
                "request",
                lambda r: None if r.url.startswith("file://") else external.append(r.url),
            )
            page.goto(url)
            page.wait_for_load_state("load")

            assert "beancan audit" in page.title()
            assert page.locator("h1").inner_text().startswith("beancan audit")

            brands = sample.report["brands"]
            row = page.locator("#brand-table tbody tr").filter(
                has=page.locator("th", has_text=re.compile(r"^AmazonHelp$"))
            )
            assert row.count() == 1
            cell = row.locator('td[data-col="conversations"]')
            assert cell.is_visible()
            assert int(cell.inner_text().replace(",", "")) == brands["AmazonHelp"]["conversations"]
            for brand in ("AppleSupport", "Delta", "sprintcare"):
                assert page.locator("#brand-table th", has_text=re.compile(f"^{brand}$")).count()

            line = page.locator("#rejected td", has_text=re.compile(r"^2589$"))
            assert line.is_visible()

            assert page.locator("svg#heatmap rect.cell").count() == 168
            assert page.locator("svg#heatmap rect.cell title").count() == 168

            chart = page.locator("svg#distribution-chart")
            box = chart.bounding_box()
            assert chart.is_visible() and box and box["width"] > 100 and box["height"] > 50

            expectations = page.locator("#expectations")
            for text in ("53%", "72%", "5.1 h"):
                assert expectations.get_by_text(text).first.is_visible(), text
            note = expectations.locator("p.note").inner_text()
            assert "53%" in note and "72%" in note and "5.1 h" in note

            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 100_000
        finally:
            browser.close()
    assert external == []
