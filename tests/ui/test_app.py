"""Streamlit AppTest: every page runs on the real app, with real DuckDB workspaces."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from insight.formatting import value as fmt
from insight.ui import shell
from insight.views.views import PAGES
from tests.apptest_support import app, clean_caches, open_page, shown, texts  # noqa: F401 (clean_caches: autouse)
from tests.conftest import ROOT


@pytest.mark.parametrize("page", [p for p in PAGES])
def test_every_page_runs_on_the_demo(demo_ws, monkeypatch, page):
    at = app(demo_ws, monkeypatch, page)
    assert at.title[0].value  # the page title is shown
    assert "Period:" in texts(at)


def test_overview_numbers_match_pandas(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"from": "2026-01-01", "to": "2026-06-30", "region": "East"})
    metrics = {m.label: m.value for m in at.metric}
    orders = demo_ws.query("SELECT * FROM orders")
    sel = orders[
        (orders["order_date"] >= "2026-01-01")
        & (orders["order_date"] < "2026-07-01")
        & (orders["region"] == "East")
        & ~orders["status"].isin(["cancelled", "returned"])
    ]
    # The figures are computed here with pandas; only the display format is shared.
    assert metrics["Orders"] == fmt(len(sel), "int")
    assert metrics["Revenue"] == fmt(sel["amount"].sum(), "money")
    assert metrics["Active customers"] == fmt(sel["customer_id"].nunique(), "int")
    assert metrics["Average order value"] == fmt(sel["amount"].sum() / len(sel), "money")


def test_chinese_labels(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"lang": "zh"})
    assert at.title[0].value == "总览"
    assert any(m.label == "收入" for m in at.metric)
    assert at.sidebar.subheader[0].value == "筛选"


def test_invalid_parameters_are_ignored_with_a_note(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"cmp": "sideways", "ds": "abc", "region": "Atlantis"})
    notes = "\n".join(shown(w.value) for w in at.warning)
    assert "cmp='sideways' ignored" in notes
    assert "ds='abc' ignored" in notes
    assert "region=Atlantis: not in the data" in notes


def test_pinned_version_shows_the_old_data(demo_ws, monkeypatch, tmp_path):
    from insight.ingest.importer import import_file

    before = demo_ws.version()
    path = tmp_path / "one.csv"
    pd.DataFrame({"order_id": ["Z1"], "order_date": ["2026-10-30"], "amount": [5.0]}).to_csv(path, index=False)
    import_file(demo_ws, path, "orders")
    pinned = app(demo_ws, monkeypatch, query={"ds": str(before)})
    latest = app(demo_ws, monkeypatch)
    value = {m.label: m.value for m in pinned.metric}["Orders"]
    assert value.endswith("K")  # tens of thousands of demo orders
    assert {m.label: m.value for m in latest.metric}["Orders"] == "1"


def test_empty_workspace_says_what_to_upload(ws, monkeypatch):
    monkeypatch.setattr(shell, "DEMO_ON_START", False)
    at = app(ws, monkeypatch)
    assert "needs the orders table" in texts(at)
    at.switch_page("app_pages/data.py")
    at.run()
    assert "No datasets yet" in texts(at)


def test_empty_workspace_gets_the_demo_on_first_start(ws, monkeypatch):
    monkeypatch.setattr(shell, "DEMO_ON_START", True)
    at = app(ws, monkeypatch)
    assert set(ws.datasets()["table"]) == {"customers", "orders", "tickets", "campaigns", "contacts"}
    assert any(m.label == "Revenue" for m in at.metric)


def test_data_page_deletes_with_confirmation(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, "data")
    at.selectbox(key="delete_table").select("campaigns").run()
    delete = at.button(key="do_delete")
    assert delete.disabled
    at.text_input(key="delete_confirm").input("campaigns").run()
    at.button(key="do_delete").click().run()
    assert not at.exception
    assert "campaigns" not in set(demo_ws.datasets()["table"])


def test_segments_page_filters_to_a_tier_and_lists_its_customers(demo_ws, monkeypatch):
    import datetime as dt

    from tests.domain.test_segments import demo_lines, expected_rfm

    lines = demo_lines(demo_ws)
    end = lines["order_date"].max().date()
    want, _ = expected_rfm(lines, end.replace(year=end.year - 1) + dt.timedelta(days=1), end)
    gold = want[want["tier"] == "gold"]
    at = app(demo_ws, monkeypatch, query={"tier": "gold", "tab": "tiers", "members": "tier:gold"})
    at.switch_page("app_pages/segments.py")
    at.run()
    assert not at.exception, at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards["Ranked customers"] == f"{len(gold):,}"
    assert any(f"{len(gold):,} customers" in c.value for c in at.caption)
    assert at.multiselect(key="tier").value == ["gold"]  # the URL code, shown translated in the sidebar


def test_segments_page_notes_bad_options(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"tiers": "abc", "members": "tier:platinum"})
    at.switch_page("app_pages/segments.py")
    at.run()
    assert not at.exception, at.exception
    notes = " ".join(shown(w.value) for w in at.warning)
    assert "tiers='abc' ignored" in notes and "members='tier:platinum' ignored" in notes


def churn_page(workspace, monkeypatch, query: dict) -> AppTest:
    return open_page("churn", workspace, monkeypatch, query)


def test_churn_page_says_which_definition_and_shows_pandas_numbers(demo_ws, monkeypatch):
    customers = demo_ws.query("SELECT churned FROM customers")
    at = churn_page(demo_ws, monkeypatch, {})
    cards = {m.label: m.value for m in at.metric}
    assert cards["Churn rate"] == fmt(customers["churned"].mean(), "pct")
    assert "customers table has a churned flag" in texts(at)
    at = churn_page(demo_ws, monkeypatch, {"churn": "behavioural", "days": "60", "tab": "attribute", "attr": "region"})
    assert "has not ordered for 60 days" in texts(at)
    assert at.number_input(key="_days_ui").value == 60
    assert "Click a bar to filter every page" in texts(at)  # region is a global filter: its bars drill


def test_churn_risk_tab_trains_and_lists_customers_to_retain(demo_ws, monkeypatch):
    at = churn_page(demo_ws, monkeypatch, {"churn": "behavioural", "tab": "risk"})
    shown = texts(at)
    assert "evaluated on the later cutoff" in shown and "ROC AUC" in shown
    assert "At-risk customers (维系挽留)" in shown
    listed = at.dataframe[-1].value
    assert len(listed) > 0 and listed["customer_id"].str.startswith("customer?id=").all()
    assert {b.label for b in at.get("download_button")} >= {"Retention list (CSV)", "Retention list (Excel)"}


def test_churn_page_on_snapshot_data(ws, monkeypatch):
    from insight.ingest.importer import import_file
    from tests.conftest import TELCO

    import_file(ws, TELCO, "customers")
    at = churn_page(ws, monkeypatch, {"tab": "survival", "split": "contract"})
    assert "Log-rank test across the groups: p = < 0.001" in texts(at)
    assert "no churn dates" in texts(at)
    at = churn_page(ws, monkeypatch, {"tab": "risk"})
    assert "stratified" in texts(at)


def test_customer_page_scores_churn_risk_on_request(demo_ws, monkeypatch):
    at = app(demo_ws, monkeypatch, query={"id": "C000150"})
    at.switch_page("app_pages/customer.py")
    at.run()
    assert not at.exception, at.exception
    at.button(key="customer_risk").click().run()
    assert not at.exception, at.exception
    risk = {m.label: m.value for m in at.metric}["Risk"]
    assert risk.endswith("%") and 0 <= float(risk.rstrip("%")) <= 100
    assert "in the next 90 days" in texts(at)


def complaints_page(workspace, monkeypatch, query: dict) -> AppTest:
    return open_page("complaints", workspace, monkeypatch, query)


def test_complaints_page_tabs_run_on_the_demo(demo_ws, monkeypatch):
    for tab in ("categories", "time", "satisfaction", "customers", "text"):
        at = complaints_page(demo_ws, monkeypatch, {"tab": tab})
        assert "Complaints" in {m.label for m in at.metric}
    at = complaints_page(demo_ws, monkeypatch, {"tab": "time", "sla": "2,8,24,48"})
    assert [n.value for n in at.number_input][:4] == [2.0, 8.0, 24.0, 48.0]


def test_free_text_suggestions_are_accepted_from_the_page(ws, monkeypatch):
    from tests.ml.test_textsort import tickets_frame

    frame, _ = tickets_frame(30, 6)
    ws.publish_frames({"tickets": frame}, "fixture")
    before = ws.version()
    at = complaints_page(ws, monkeypatch, {"tab": "text"})
    assert "tickets without a category get a suggestion" in texts(at)
    at.slider(key="cmp_min_conf").set_value(0.0).run()
    at.button(key="cmp_accept").click().run()
    assert not at.exception, at.exception
    after = ws.query("SELECT count(suggested_category) AS n FROM tickets")["n"].iloc[0]
    unlabelled = (frame["category"].isna() | (frame["category"] == "other")).sum()
    assert ws.version() == before + 1 and after == unlabelled


def test_text_clusters_are_named_from_the_page(ws, monkeypatch):
    from tests.text_fixtures import corpus

    texts_, _ = corpus(30, "train", seed=8, langs=("en",), categories=("billing", "delivery"))
    frame = pd.DataFrame({"ticket_id": range(len(texts_)), "created_at": pd.Timestamp("2026-03-01"), "text": texts_})
    ws.publish_frames({"tickets": frame}, "fixture")
    at = complaints_page(ws, monkeypatch, {"tab": "text", "k": "2"})
    assert "Name them to make them categories" in texts(at)
    at.text_input(key="cmp_name_0").input("Alpha")
    at.text_input(key="cmp_name_1").input("Beta")
    next(b for b in at.button if b.label == "Make the names categories").click().run()
    assert not at.exception, at.exception
    named = ws.query("SELECT category, count(*) AS n FROM tickets GROUP BY 1")
    assert set(named["category"]) == {"Alpha", "Beta"} and named["n"].sum() == len(frame)


def _failing_page():
    """A page with a bug, inside the app's error boundary (AppTest runs this function as a script)."""
    import streamlit as st

    from insight.ui.shell import error_boundary

    with error_boundary():
        st.title("before the bug")
        raise ZeroDivisionError("secret detail of the bug")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unexpected_error_shows_a_short_message_with_an_id_and_logs_the_trace(monkeypatch, caplog, lang):
    import logging
    import re
    import tomllib

    monkeypatch.delenv("INSIGHT_RAISE_ERRORS", raising=False)  # as in production
    logging.getLogger("insight").addHandler(caplog.handler)
    try:
        at = AppTest.from_function(_failing_page)
        at.session_state["lang"] = lang
        at.run()
    finally:
        logging.getLogger("insight").removeHandler(caplog.handler)
    assert not at.exception  # no exception box, no traceback on the page
    [box] = at.error
    found = re.search(r"(?:Error id|错误编号) ([0-9a-f]{8})", box.value)
    assert found and "secret detail" not in box.value and "ZeroDivisionError" not in box.value
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError  # the trace is in the server log, under the id
    # What escapes the boundary (a widget callback) shows Streamlit's generic message, details in the log.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_under_test_the_boundary_re_raises_so_no_error_is_hidden(monkeypatch):
    from streamlit import config

    monkeypatch.setenv("INSIGHT_RAISE_ERRORS", "1")  # what the AppTest opener sets
    config.set_option("client.showErrorDetails", "full")  # as the opener does: the test shows the error
    at = AppTest.from_function(_failing_page)
    at.run()
    assert at.exception and "secret detail of the bug" in at.exception[0].message


#: (shape, page, query, what the page must say): empty states name the table and column missing.
EMPTY_STATES = (
    ("orders_no_customer_id", "segments", {}, "This page needs the customer_id column of the orders table."),
    ("tickets_only", "overview", {}, "This page needs the orders table."),
    ("tickets_only", "campaigns", {}, "This page needs the contacts table."),
    (
        "tickets_only",
        "churn",
        {},
        "This page needs the churned column of the customers table, or the customer_id column of the orders table.",
    ),
    ("contacts_only", "complaints", {"lang": "zh"}, "本页需要工单表。"),
)


@pytest.mark.parametrize(("name", "page", "query", "says"), EMPTY_STATES)
def test_empty_states_name_the_missing_table_and_column_and_link_to_the_data_page(
    shape_ws, monkeypatch, name, page, query, says
):
    at = app(shape_ws(name), monkeypatch, page, query)
    assert says in texts(at)
    links = [link.proto.page for link in at.get("page_link")]
    assert any(p.endswith("data.py") or p == "data" for p in links), links


def test_cards_say_which_column_is_missing_never_that_a_table_with_rows_is_empty(shape_ws, monkeypatch):
    ws = shape_ws("no_satisfaction")
    assert ws.scalar("SELECT count(*) FROM tickets") > 0
    at = app(ws, monkeypatch, "complaints")
    cards = {m.label: m.delta for m in at.metric}
    assert cards["CSAT"] == "Data missing"
    assert "CSAT: the tickets table has no satisfaction column." in texts(at)
    assert "no tickets" not in texts(at).lower().replace("no tickets in this period", "")
    at = app(shape_ws("orders_no_customer_id"), monkeypatch)
    assert {m.label: m.delta for m in at.metric}["Active customers"] == "Data missing"
    assert "Active customers: the orders table has no customer_id column." in texts(at)


def test_campaigns_under_filters_that_leave_no_control_group(demo_ws, monkeypatch):
    """The issue's own case: ordinary filters on the demo left no campaign with a control group,
    and the uplift chart crashed on bounds that came back as text."""
    from insight.views.views import page_view

    query = {"tier": "gold", "segment": "SMB", "region": "West"}
    view = page_view(demo_ws, "campaigns?tier=gold&segment=SMB&region=West")
    shown = view.campaigns
    assert len(shown) and shown["control"].sum() == 0  # contacts, none of them a control
    assert view.kpis["uplift"].value is None and view.kpis["uplift"].note.key == "kpi.no_control"
    at = app(demo_ws, monkeypatch, "campaigns", query)
    assert "no campaign in this view has a control group" in texts(at)


def test_the_overdue_list_is_sent_only_once_opened(demo_ws, monkeypatch):
    """The Overview's overdue work orders (thousands of rows at scale) are neither formatted nor
    sent while their section is closed; opened, it lists the view's overdue tickets."""
    from insight.auth.access import RowScope
    from insight.views.views import page_view

    label = "Overdue work orders (超期预警)"
    at = app(demo_ws, monkeypatch)
    box = next(e for e in at.expander if e.label == label)
    assert not box.dataframe
    at.session_state["overdue_open"] = True
    at.run()
    box = next(e for e in at.expander if e.label == label)
    expected = page_view(demo_ws, "overview?", RowScope.all()).overdue
    assert len(expected) and box.dataframe[0].value["ticket_id"].tolist() == expected["ticket_id"].astype(str).tolist()
