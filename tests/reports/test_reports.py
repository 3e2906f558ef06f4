"""Reports: the page as its recipient sees it, printed by Chromium. The figures read back from
the PDF (pdftotext) are those of `view --json` for the same link and user."""

from __future__ import annotations

import json
import re
import subprocess

import pandas as pd
import pytest

from insight import formatting
from insight.auth import users
from insight.auth.access import RowScope
from insight.auth.users import OWNER
from insight.reports import document, printer, saved
from insight.semantic import metrics
from tests.test_cli import cli

LINK = "overview?from=2026-01-01&to=2026-06-30&cmp=yoy&by=channel"


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"[ \t]+", " ", out.stdout)


@pytest.fixture
def eve(demo_ws):
    return users.add(demo_ws, "eve", "viewer", "a-long-password", RowScope.parse(["region=East"]))


def test_a_pdf_report_has_the_figures_of_view_json_for_that_user(demo_ws, eve, tmp_path):
    path = demo_ws.path
    demo_ws.close()
    out = cli("report", LINK, "--format", "pdf", "--out", str(tmp_path / "r.pdf"), "--as", "eve", workspace=path)
    assert out.returncode == 0, out.stderr
    view = json.loads(cli("view", LINK, "--as", "eve", "--json", workspace=path).stdout)
    text = pdf_text(tmp_path / "r.pdf")
    assert "Overview" in text and "Period: 2026-01-01 – 2026-06-30" in text and "Same period last year" in text
    assert "As seen by eve (rows: region=East)" in text
    for mid, value in view["kpis"].items():
        m = metrics.REGISTRY[mid]
        card = view["comparison"][mid]
        assert formatting.value(value, m.fmt) in text, mid
        change = formatting.change(card["change"], card["change_pct"], m.fmt)
        if change:
            assert change in text, (mid, change)
    # the main table: what moved, split by channel (`by=channel`), as the view has it
    moved = pd.DataFrame(view["tables"]["moved_revenue"])
    for row in moved[moved["dimension"] == "channel"].itertuples():
        assert re.search(rf"{re.escape(row.value)} {re.escape(formatting.value(row.current, 'money'))}", text), row
    # eve's revenue is the East revenue: pandas on the raw orders
    orders = pd.DataFrame(json.loads(cli("view", LINK, "--json", workspace=path).stdout)["tables"]["moved_revenue"])
    assert view["kpis"]["revenue"] < orders[orders["dimension"] == "channel"]["current"].sum()


def test_a_saved_view_report_in_chinese(demo_ws, tmp_path):
    view = saved.save(demo_ws, OWNER, "投诉周报", "complaints?from=2026-04-01&to=2026-06-30&channel=App")
    report = document.build(demo_ws, view.link(), OWNER, "zh", view.name)
    (tmp_path / "r.pdf").write_bytes(printer.render(report.html(), "pdf"))
    text = pdf_text(tmp_path / "r.pdf")
    assert "投诉与服务" in text and "投诉周报" in text and "周期：2026-04-01 – 2026-06-30" in text
    assert "渠道: App" in text and "投诉类别" in text  # the active filter and the main table's title
    for mid, kpi in report.view.kpis.items():
        m = metrics.REGISTRY[mid]
        assert formatting.value(kpi.value, m.fmt, "zh") in text
    for row in report.view.categories.itertuples():
        assert row.value in text


@pytest.mark.parametrize("page", ["channels", "segments", "churn", "campaigns"])
def test_every_report_page_prints_its_kpis_charts_and_table(demo_ws, page):
    report = document.build(demo_ws, page, OWNER)
    html = report.html()
    assert html.count('class="kpi"') == len(report.view.kpis) > 0
    assert html.count('class="chart"') >= 1 and "<table>" in html
    head, body = html.split("</head>")
    assert head.count("<script>") == 1 and "<link" not in head  # plotly.js inlined: nothing to fetch
    assert "src=" not in body and "http" not in body


def test_png_and_html_formats(demo_ws):
    report = document.build(demo_ws, "overview", OWNER)
    png = printer.render(report.html(), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    assert printer.render(report.html(), "html").decode().startswith("<!doctype html>")


def test_user_text_in_a_report_stays_text(demo_ws):
    evil = '<a href="https://evil.example/x">Win</a><img src=x onerror=alert(1)>'
    campaigns = demo_ws.query("SELECT * FROM campaigns")
    campaigns.loc[0, "name"] = evil
    demo_ws.publish_frames({"campaigns": campaigns}, "campaigns.csv")
    report = document.build(demo_ws, "campaigns?from=2025-01-01&to=2026-12-31", OWNER)
    html = report.html()
    assert evil not in html and "<img src=x" not in html
    assert "&lt;a href=" in html or "\\u003ca href=" in html


def test_reports_are_refused_where_they_cannot_be_made(demo_ws, tmp_path):
    path = demo_ws.path
    demo_ws.close()
    for args, message in (
        (("data", "--out", "x.pdf"), "has no report"),
        (("overview", "--out", "x.pdf", "--as", "nobody"), "no user nobody"),
        (("overview",), "--out FILE, --to ADDRESS"),
        (("no such view", "--out", "x.pdf"), "no saved view no such view"),
    ):
        out = cli("report", *args, workspace=path)
        assert out.returncode == 2 and message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr
