"""The dashboard's chart is on a real time axis: days without completions take their real
width, and the tick labels are dates in the page's language. Drawn by the page's own
dashboard.js with the vendored Chart.js, on a page of its own (no server needed)."""

import json
from pathlib import Path

import pytest

from tests.support.browser import new_page

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "frontend" / "static" / "frontend"
ROWS = [
    {"date": "2026-11-01", "done": 1, "total": 1},
    {"date": "2026-11-02", "done": 1, "total": 2},
    {"date": "2026-11-22", "done": 2, "total": 4},
]


def _draw(browser, lang: str, rows=ROWS):
    page = new_page(browser, width=390, height=844)
    page.set_content(
        f'<!doctype html><html lang="{lang}"><body>'
        '<div style="height:300px"><canvas id="milestones-chart"></canvas></div>'
        f'<script type="application/json" id="milestones-data">{json.dumps(rows)}</script>'
        "</body></html>"
    )
    page.add_script_tag(path=str(STATIC / "vendor" / "chart.umd.min.js"))
    page.evaluate(
        """(code) => {
            const s = document.createElement("script");
            s.dataset.labelTotal = "total";
            s.dataset.labelDay = "day";
            s.textContent = code;
            document.body.appendChild(s);
        }""",
        (STATIC / "dashboard.js").read_text(),
    )
    return page


def _positions(page):
    return page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById("milestones-chart"));
            const meta = chart.getDatasetMeta(1);
            return {
                xs: meta.data.map((bar) => bar.x),
                type: chart.scales.x.type,
                ticks: chart.scales.x.ticks.map((t) => t.label),
            };
        }"""
    )


def test_days_without_completions_take_their_real_width(browser):
    page = _draw(browser, "de")
    drawn = _positions(page)
    assert drawn["type"] == "linear"
    a, b, c = drawn["xs"]
    # 1 day between the first two, 20 days between the last two.
    assert (c - b) / (b - a) == pytest.approx(20, rel=0.02)
    page.close()


@pytest.mark.parametrize(("lang", "label"), [("de", "1. Nov."), ("en", "1 Nov")])
def test_tick_labels_are_dates_in_the_page_language(browser, lang, label):
    page = _draw(browser, lang)
    ticks = _positions(page)["ticks"]
    assert ticks[0] == label
    assert len(ticks) == len(set(ticks))  # whole days: no label twice
    page.close()


def test_one_day_of_data_still_draws(browser):
    page = _draw(browser, "de", rows=ROWS[:1])
    assert len(_positions(page)["xs"]) == 1
    page.close()
