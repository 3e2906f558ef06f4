"""Data shapes for the page matrix (issue 14): each one derived from the small demo, published into
a fresh workspace. A shape is a function of the base tables that returns the tables to publish
(and, for the replace-by-another-era shape, a file to import over them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from insight.db.workspace import Workspace

TABLES = ("customers", "orders", "tickets", "campaigns", "contacts")
#: One customer in this many of the demo's: small shapes keep the matrix fast.
SAMPLE_EVERY = 15

Frames = dict[str, pd.DataFrame]


def base_frames(demo: Frames) -> Frames:
    """A small slice of the demo's generated tables: every SAMPLE_EVERY-th customer (by id) with
    their orders, tickets and contacts, and every campaign (the frames are not changed)."""
    customers = demo["customers"].sort_values("customer_id").iloc[::SAMPLE_EVERY].reset_index(drop=True)
    keep = set(customers["customer_id"])
    out: Frames = {"customers": customers}
    for table in ("orders", "tickets", "contacts"):
        out[table] = demo[table][demo[table]["customer_id"].isin(keep)].reset_index(drop=True)
    return {**out, "campaigns": demo["campaigns"]}


def _only(*tables: str) -> Callable[[Frames], Frames]:
    return lambda f: {t: f[t] for t in tables}


def _drop(table: str, *cols: str) -> Callable[[Frames], Frames]:
    return lambda f: {**f, table: f[table].drop(columns=list(cols))}


def _shift(frame: pd.DataFrame, offset: pd.DateOffset) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col] + offset
    return out


def _window(f: Frames, start: str, end: str) -> Frames:
    """Orders, tickets and contacts cut to [start, end)."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    out = dict(f)
    for table, col in (("orders", "order_date"), ("tickets", "created_at"), ("contacts", "contacted_at")):
        out[table] = f[table][(f[table][col] >= lo) & (f[table][col] < hi)].reset_index(drop=True)
    return out


def _one_day(f: Frames) -> Frames:
    """A single day of events (the last day of the orders, tickets moved onto it)."""
    day = f["orders"]["order_date"].max().normalize()
    out = _window(f, str(day.date()), str((day + pd.Timedelta(days=1)).date()))
    tickets = f["tickets"].head(60).copy()
    moved = day + (tickets["created_at"] - tickets["created_at"].dt.normalize())
    shift = moved - tickets["created_at"]
    for col in ("created_at", "first_response_at", "resolved_at", "due_at"):
        tickets[col] = tickets[col] + shift
    out["tickets"] = tickets
    return out


def _one_month(f: Frames) -> Frames:
    end = f["orders"]["order_date"].max().normalize() + pd.Timedelta(days=1)
    return _window(f, str((end - pd.Timedelta(days=30)).date()), str(end.date()))


def _tickets_other_year(f: Frames) -> Frames:
    return {**f, "tickets": _shift(f["tickets"], pd.DateOffset(years=-6))}


def _customers_match_no_order(f: Frames) -> Frames:
    customers = f["customers"].assign(customer_id="X" + f["customers"]["customer_id"])
    return {**f, "customers": customers}


def _no_control(f: Frames) -> Frames:
    contacts = f["contacts"][f["contacts"]["group"] != "control"].reset_index(drop=True)
    return {**f, "contacts": contacts}


def _one_campaign(f: Frames) -> Frames:
    first = f["campaigns"]["campaign_id"].iloc[0]
    return {
        **f,
        "campaigns": f["campaigns"][f["campaigns"]["campaign_id"] == first],
        "contacts": f["contacts"][f["contacts"]["campaign_id"] == first].reset_index(drop=True),
    }


def _one_region_channel(f: Frames) -> Frames:
    out = dict(f)
    out["customers"] = f["customers"].assign(region="East")
    out["orders"] = f["orders"].assign(region="East", channel="App")
    out["tickets"] = f["tickets"].assign(channel="App")
    out["campaigns"] = f["campaigns"].assign(channel="App")
    return out


def _all_open(f: Frames) -> Frames:
    tickets = f["tickets"].assign(resolved_at=pd.NaT, status="open", first_contact_resolved=False)
    return {**f, "tickets": tickets}


def _future(f: Frames) -> Frames:
    """A tenth of the orders and tickets dated three years ahead (typos, or scheduled rows)."""
    out = dict(f)
    for table in ("orders", "tickets"):
        frame = f[table].copy()
        late = frame.index % 10 == 0
        frame.loc[late] = _shift(frame.loc[late], pd.DateOffset(years=3))
        out[table] = frame
    return out


def _blank_attributes(f: Frames) -> Frames:
    """A fifth of the customers with blank attributes (age, region, segment, contract), as real
    exports have them."""
    customers = f["customers"].copy()
    blank = customers.index % 5 == 0
    for col in ("age", "region", "segment", "contract"):
        customers.loc[blank, col] = None
    return {**f, "customers": customers}


def _half_the_customers(f: Frames) -> Frames:
    """Every other customer with their events: a sparser history (a model's features go blank for
    customers without orders before a cutoff)."""
    keep = set(f["customers"]["customer_id"].iloc[::2])
    out = {t: f[t][f[t]["customer_id"].isin(keep)].reset_index(drop=True) for t in ("customers", "orders", "tickets")}
    out["contacts"] = f["contacts"][f["contacts"]["customer_id"].isin(keep)].reset_index(drop=True)
    return {**f, **out}


@dataclass(frozen=True)
class Shape:
    name: str
    build: Callable[[Frames], Frames]
    #: A table replaced after publishing, by importing a CSV of it (importer, replace mode).
    replace: tuple[str, Callable[[Frames], pd.DataFrame]] | None = None
    #: The URL query every view of this shape adds (a chosen period).
    query: dict[str, str] = field(default_factory=dict)


SHAPES: tuple[Shape, ...] = (
    Shape("demo", lambda f: f),
    Shape("orders_only", _only("orders")),
    Shape("tickets_only", _only("tickets")),
    Shape("customers_only", _only("customers")),
    Shape("contacts_only", _only("contacts")),
    Shape("orders_no_order_id", _drop("orders", "order_id")),
    Shape("orders_no_customer_id", _drop("orders", "customer_id")),
    Shape("one_day", _one_day),
    Shape("one_month", _one_month),
    Shape("tickets_other_year", _tickets_other_year),
    Shape("customers_match_no_order", _customers_match_no_order),
    Shape("no_control_group", _no_control),
    Shape("one_campaign", _one_campaign),
    Shape("one_region_channel", _one_region_channel),
    Shape("no_satisfaction", _drop("tickets", "satisfaction")),
    Shape("no_priority", _drop("tickets", "priority")),
    Shape("all_tickets_open", _all_open),
    Shape("future_rows", _future),
    Shape("blank_attributes", _blank_attributes),
    Shape("half_the_customers", _half_the_customers),
    Shape("empty_period", lambda f: f, query={"from": "1999-01-01", "to": "1999-12-31"}),
    Shape(
        "replaced_by_other_era",
        lambda f: f,
        replace=("orders", lambda f: _shift(f["orders"], pd.DateOffset(years=-9))),
    ),
)
SHAPE_NAMES = tuple(s.name for s in SHAPES)
BY_NAME = {s.name: s for s in SHAPES}

#: Every page and every section of the pages that have them: (page, tab or None).
SECTIONS: tuple[tuple[str, str | None], ...] = (
    ("overview", None),
    ("channels", None),
    ("channels", "more"),  # the journeys section below the fold, opened (`more=true`)
    *(("segments", t) for t in ("rfm", "movement", "tiers", "clusters", "clv")),
    *(("churn", t) for t in ("trend", "attribute", "cohorts", "survival", "risk")),
    *(("complaints", t) for t in ("categories", "time", "satisfaction", "customers", "text")),
    ("campaigns", None),
    ("customer", None),
    ("data", None),
)
#: The sections whose figures the CLI `view` computes differently: a Channel mix view holds the
#: journeys section's (`everything`); a Churn view holds the tables of
#: every section, and with `tab=risk` the risk model too; a Segments view those of RFM, tiers and
#: CLV, and with `tab=movement` or `tab=clusters` their own as well. The views of the other tabs
#: are parts of these (the same computations on the same scope), so they would only repeat them.
CLI_SECTIONS = tuple(
    s
    for s in SECTIONS
    if s
    not in {
        ("channels", "more"),
        ("churn", "trend"),
        ("churn", "attribute"),
        ("churn", "cohorts"),
        ("churn", "survival"),
        ("segments", "rfm"),
        ("segments", "tiers"),
        ("segments", "clv"),
    }
)

#: Filters that empty part of a shape: a value tier, a customer segment, a region, a campaign.
EMPTYING_FILTERS: tuple[dict[str, str], ...] = (
    {"tier": "diamond"},
    {"segment": "Government"},
    {"region": "West"},
    {"campaign": "CMP06"},
)


#: Sections no filter changes (the datasets list; one customer's whole history): run unfiltered only.
UNFILTERED_ONLY = {("data", None), ("customer", None)}


def emptying_filter(shape: Shape) -> dict[str, str]:
    """The filter this shape is run under again (each filter in turn over the shapes)."""
    return EMPTYING_FILTERS[SHAPE_NAMES.index(shape.name) % len(EMPTYING_FILTERS)]


def build(shape: Shape, base: Frames, path: Path) -> Workspace:
    """The shape published into a fresh workspace at `path`."""
    from insight.ingest.importer import import_file

    ws = Workspace(path)
    frames = {t: f.reset_index(drop=True) for t, f in shape.build(base).items()}
    ws.publish_frames(frames, f"shape:{shape.name}")
    if shape.replace:
        table, make = shape.replace
        csv = path.with_suffix(f".{table}.csv")
        make(base).to_csv(csv, index=False)
        import_file(ws, csv, table, mode="replace")
    return ws


def first_customer(ws: Workspace) -> str | None:
    """A customer id the shape has (for the Customer page), from any table that carries one."""
    for table in ("customers", "orders", "tickets", "contacts"):
        if ws.snapshot().has(table) and "customer_id" in ws.columns(table):
            found = ws.scalar(f"SELECT min(customer_id) FROM {table}")
            if found is not None:
                return str(found)
    return None


@dataclass(frozen=True)
class Held:
    """What a shape's workspace holds, read once (the checks ask on every section): each current
    table with its columns, and the customer the Customer page opens."""

    columns: dict[str, frozenset[str]]
    customer: str | None

    @classmethod
    def of(cls, ws: Workspace) -> Held:
        tables = ws.datasets()["table"]
        return cls({t: frozenset(ws.columns(t)) for t in tables}, first_customer(ws))
