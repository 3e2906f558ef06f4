"""The data-shape matrix (issue 14): every page and every section, in the app (AppTest) and the CLI
`view`, on every shape of data generated from the demo, again under a filter that empties part of
it, and in Chinese. No exception, and whatever is missing is said truly (checked against the data)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pandas as pd
import pytest

from insight import cli, i18n
from insight.semantic.filters import TIME_COLUMNS
from tests import shapes
from tests.apptest_support import (  # noqa: F401 (clean_caches: autouse)
    TEXT_TYPES,
    app,
    assert_clean,
    clean_caches,
    elements,
    texts,
)


def by_shape(names=shapes.SHAPE_NAMES):
    """One test (and xdist group) per shape, the longest first: the shape also run in Chinese,
    then the others, and the shapes of one table last (most of their pages are empty states), so
    the quickest tests end the run and the two workers finish together."""
    ordered = sorted(names, key=lambda n: (n not in IN_CHINESE, n.endswith("_only")))
    return [pytest.param(n, marks=pytest.mark.xdist_group(f"shape-{n}"), id=n) for n in ordered]


def query_of(shape: shapes.Shape, page: str, tab: str | None, held: shapes.Held, extra: dict | None = None) -> dict:
    q = {**shape.query, **(extra or {})}
    if tab == "more":  # a section below the fold, opened
        q["more"] = "true"
    elif tab:
        q["tab"] = tab
    if page == "customer" and held.customer:
        q["id"] = held.customer
    return q


def cli_view(ws, page: str, query: dict, capsys) -> dict:
    """The CLI `view` of a page, as a person runs it (`python -m insight view LINK --json`)."""
    code = cli.main(["--workspace", str(ws.path), "view", f"{page}?{urlencode(query)}", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


# --- truth of what the pages say is missing -------------------------------------------------------


def lacks(held: shapes.Held, need: str) -> bool:
    """Whether the workspace truly lacks `table` or `table.column`."""
    table, _, column = need.partition(".")
    return table not in held.columns or (bool(column) and column not in held.columns[table])


def rows_in(frame: pd.DataFrame, table: str, start, end) -> int:
    dates = pd.to_datetime(frame[TIME_COLUMNS[table]])
    return int(((dates >= pd.Timestamp(start)) & (dates < pd.Timestamp(end) + pd.Timedelta(days=1))).sum())


def assert_view_is_true(held: shapes.Held, frames: shapes.Frames, view: dict, filtered: bool) -> None:
    """What a view says is missing is missing; a table said to lie outside the period has no rows
    in it; "no complaint tickets" holds where no filter could explain it."""
    if view["missing"]:  # alternatives: the page needs one of them, and has none
        assert all(lacks(held, need) for need in view["missing"]), view["missing"]
    period = view["tables"].get("period", [{}])[0]
    for mid, kpi in view["comparison"].items():
        if kpi["missing"]:
            assert lacks(held, kpi["missing"]), (mid, kpi["missing"])
        note = kpi["note"] or ""
        if note.startswith("no ") and " in this period (they run " in note:  # kpi.outside
            table = kpi["table"]
            assert rows_in(frames[table], table, period["from"], period["to"]) == 0, (mid, note)
    notes = {n["text"] for n in view["notes"]}
    if str(i18n.msg("data.no_complaints")) in notes and not filtered:
        t = frames["tickets"]
        t = t[t["is_complaint"].fillna(True)] if "is_complaint" in t else t
        assert rows_in(t, "tickets", period["from"], period["to"]) == 0
    for kind in {n["kind"] for n in view["notes"]}:
        assert kind in i18n.NOTE_KINDS


# --- the app ------------------------------------------------------------------------------------

#: Texts on a page that name something missing: "there is no tickets table", "the tickets table has
#: no satisfaction column", "needs the customer_id column of the orders table".
_LACKS = re.compile(r"there is no (\w+) table|the (\w+) table has no (\w+) column")


def visit(at, held: shapes.Held, shape: shapes.Shape, page: str, tab: str | None) -> None:
    """Switch the running app to a page and section (the app opened on the Overview)."""
    if (page, tab) != ("overview", None):
        at.switch_page(f"app_pages/{page}.py")
        for key, value in query_of(shape, page, tab, held).items():
            if key in ("tab", "id", "more"):
                at.session_state[key] = value
        at.run()
    assert_clean(at)


def visit_every_section(at, held: shapes.Held, shape: shapes.Shape, filtered: bool = False) -> None:
    """Open every page and section in one running app; each run must be clean, and every table
    or column a page says is missing must be missing."""
    tables = {i18n.t(f"table.{t}"): t for t in shapes.TABLES}
    for page, tab in shapes.SECTIONS:
        if filtered and (page, tab) in shapes.UNFILTERED_ONLY:
            continue
        visit(at, held, shape, page, tab)
        found = elements(at, *TEXT_TYPES, "metric")
        shown = texts(at, found) + "\n" + "\n".join(str(m.delta or "") for m in found["metric"])
        for table, other, column in _LACKS.findall(shown):
            need = f"{tables[other]}.{column}" if other else tables[table]
            assert lacks(held, need), (page, tab, need)
        assert found["title"][0].value == i18n.t(f"page.{page}")
        if tab == "more" and not lacks(held, "orders"):  # the section is open: its figures computed and drawn
            journeys = [e for e in at.expander if e.label == i18n.t("channels.journeys")]
            assert journeys and journeys[0].proto.expanded


def cli_views(ws, held: shapes.Held, shape: shapes.Shape, frames: shapes.Frames, extra: dict, capsys) -> None:
    """The CLI `view` of every section (as `python -m insight view LINK --json`, in process)."""
    for page, tab in shapes.CLI_SECTIONS:
        if extra and (page, tab) in shapes.UNFILTERED_ONLY:
            continue
        view = cli_view(ws, page, query_of(shape, page, tab, held, extra), capsys)
        assert view["page"] == page
        assert_view_is_true(held, frames, view, filtered=bool(extra))


#: The shape also run in 简体中文 (tables from two eras, so the period notes show too).
IN_CHINESE = ("tickets_other_year",)


@pytest.mark.parametrize("name", by_shape())
def test_every_page_and_section_on_every_shape(name, shape_ws, shape_base, monkeypatch, capsys):
    """Each state (the shape, then the shape under a filter) in the app, then in the CLI `view`,
    then (IN_CHINESE) the app in Chinese, in one process as a server has them: the figures they
    share (page views, models, clusters) are computed once."""
    shape = shapes.BY_NAME[name]
    ws = shape_ws(name)
    held = shapes.Held.of(ws)
    frames = shape.build(shape_base)
    for extra in ({}, shapes.emptying_filter(shape)):
        at = app(ws, monkeypatch, query={**shape.query, **extra})
        visit_every_section(at, held, shape, filtered=bool(extra))
        cli_views(ws, held, shape, frames, extra, capsys)
    if name in IN_CHINESE:
        visit_in_chinese(ws, held, shape, monkeypatch)


def visit_in_chinese(ws, held: shapes.Held, shape: shapes.Shape, monkeypatch) -> None:
    """Every page and section in 简体中文: the notes from the core are translated as well."""
    at = app(ws, monkeypatch, query={**shape.query, "lang": "zh"})
    assert at.title[0].value == "总览"
    for page, tab in shapes.SECTIONS:
        visit(at, held, shape, page, tab)
        assert at.title[0].value == i18n.t(f"page.{page}", "zh")
        if page == "complaints":  # the tickets' own period, said in Chinese
            assert "本页显示工单数据的最近 12 个月" in texts(at)
        english = [w.value for w in [*at.warning, *at.info] if not re.search(r"[\u4e00-\u9fff]", w.value)]
        assert not english, english
