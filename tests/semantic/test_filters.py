"""The Filters value: URL round trip, validation notes, and the SQL it compiles to."""

from __future__ import annotations

import datetime as dt

from insight import i18n
from insight.semantic.filters import Filters
from insight.semantic.scope import Scope


def test_round_trip_keeps_readable_parameters():
    query = "from=2026-01-01&to=2026-03-31&cmp=yoy&region=East&region=%E5%8D%8E%E4%B8%9C&channel=App&ds=4"
    f, notes = Filters.from_query(query)
    assert notes == []
    assert f.start == dt.date(2026, 1, 1) and f.end == dt.date(2026, 3, 31)
    assert f.values("region") == ("East", "华东")
    assert Filters.from_query(f.to_query())[0] == f
    assert (
        f.to_query() == "ds=4&from=2026-01-01&to=2026-03-31&cmp=yoy&region=East&region=%E5%8D%8E%E4%B8%9C&channel=App"
    )


def test_defaults_are_omitted_and_whole_urls_accepted():
    f, _ = Filters.from_query("http://localhost:8501/overview?cmp=prev&segment=SMB")
    assert f.to_query() == "segment=SMB"


def test_invalid_values_become_notes_not_errors():
    f, notes = Filters.from_query("from=2026-13-01&to=yesterday&cmp=up&ds=v2")
    assert f == Filters()
    assert len(notes) == 4 and all("ignored" in str(n) for n in notes)
    assert {i18n.note_kind(n) for n in notes} == {"ignored"}  # shown as ignored URL values, in either language
    assert "已忽略 cmp='up'" in " ".join(n.text("zh") for n in notes)
    _, notes = Filters.from_query("from=2026-05-01&to=2026-01-01")
    assert [str(n) for n in notes] == ["from=2026-05-01 is after to=2026-01-01; the period was ignored"]


def test_where_binds_user_values_and_joins_through_customers(demo_ws):
    hostile = "East'); DROP TABLE orders; --"
    f, _ = Filters.from_query({"region": [hostile], "segment": ["SMB"], "channel": ["App"]})
    scope = Scope.open(demo_ws, f)
    sql, params = scope.where("orders")
    assert hostile not in sql and hostile in params
    # Orders are read from the fact, which carries the customer's segment: no join needed.
    assert 'CAST(t."region" AS VARCHAR) IN (?)' in sql and 'CAST(t."segment" AS VARCHAR) IN (?)' in sql
    assert scope.table("orders").startswith('"_fact_orders_')
    # Tickets carry no region or segment of their own: their fact copies the customer's.
    tsql, _ = scope.where("tickets")
    assert scope.table("tickets").startswith('"_fact_tickets_')
    assert 'CAST(t."region" AS VARCHAR) IN (?)' in tsql and 'CAST(t."segment" AS VARCHAR) IN (?)' in tsql
    # Customers filter directly; a channel filter on customers goes through their orders.
    csql, _ = scope.where("customers")
    assert 'CAST(t."segment" AS VARCHAR) IN (?)' in csql
    assert demo_ws.scalar(f"SELECT count(*) FROM {scope.table('orders')} t WHERE {sql}", params) == 0
    assert demo_ws.scalar("SELECT count(*) FROM orders") > 0  # the hostile value did nothing


def test_default_period_is_the_last_twelve_months_of_the_data(demo_ws):
    scope = Scope.open(demo_ws, Filters())
    last = demo_ws.scalar("SELECT max(order_date) FROM orders").date()
    assert scope.period == (last.replace(year=last.year - 1) + dt.timedelta(days=1), last)
    prev = scope.compare()
    assert prev.period[1] == scope.period[0] - dt.timedelta(days=1)
    assert (prev.period[1] - prev.period[0]) == (scope.period[1] - scope.period[0])
