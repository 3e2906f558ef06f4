"""The pandas peer (insight/bench_peers.py): the Overview's and Channel mix's figures from the
prepared rows held in memory, one function per page, returning the figures in the shape
`bench_peers.product_figures` gives the product's."""

from __future__ import annotations

import numpy as np
import pandas as pd

FREQ = {"hour": "h", "day": "D"}
TIME = {"orders": "_day", "tickets": "created_at"}
MOVED = ("region", "channel", "segment")


def _rows(data: dict, table: str, inp: dict, period) -> pd.DataFrame:
    frame = data[table]
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1]) + pd.Timedelta(days=1)
    time = frame[TIME[table]].to_numpy()
    keep = (time >= start.to_datetime64()) & (time < end.to_datetime64())
    if table == "orders":
        keep &= frame["_valid"].to_numpy()
    for dim, values in inp["dims"].items():
        keep &= frame[dim].isin(values).to_numpy()
    return frame[keep]


def _both(data: dict, table: str, inp: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of the period and of the comparison period (none without one)."""
    now = _rows(data, table, inp, inp["period"])
    return now, _rows(data, table, inp, inp["previous"]) if inp["previous"] else now.head(0)


def _customers(data: dict, inp: dict) -> pd.DataFrame:
    """The customers under the filters (a state: no period); channel: those who ordered through it."""
    frame = data["customers"]
    keep = np.ones(len(frame), dtype=bool)
    for dim in ("region", "segment"):
        if dim in inp["dims"]:
            keep &= frame[dim].isin(inp["dims"][dim]).to_numpy()
    if "channel" in inp["dims"]:
        links = data["customer_channels"]
        keep &= frame["customer_id"].isin(links.loc[links["channel"].isin(inp["dims"]["channel"]), "customer_id"])
    return frame[keep]


def _truncate(times: pd.Series, g: str) -> pd.Series:
    if g in FREQ:
        return times.dt.floor(FREQ[g])
    return times.dt.to_period("W-SUN" if g == "week" else "M").dt.start_time.astype(times.dtype)


def _bucket(rows: pd.DataFrame, table: str, g: str, start) -> pd.Series:
    """The bucket a row falls in: its hour, day, week or month, from the period start on."""
    source = rows["order_date" if table == "orders" and g == "hour" else TIME[table]]
    return _truncate(source, g).clip(lower=pd.Timestamp(start)).rename("bucket")


def _ticket_measures(rows: pd.DataFrame) -> pd.DataFrame:
    """Per-row inputs of the ticket measures: complaint, on time (among resolved) and CSAT."""
    resolved = rows["resolved_at"].notna() & (rows["resolved_at"] >= rows["created_at"])
    on_time = (rows["resolved_at"] <= rows["_due"]).astype(float).where(resolved)
    return pd.DataFrame(
        {"complaints": rows["_complaint"], "on_time_rate": on_time, "csat": rows["satisfaction"]}, index=rows.index
    )


ADDITIVE = ("revenue", "orders", "active_customers", "complaints")
TICKET_AGG = {"complaints": "sum", "on_time_rate": "mean", "csat": "mean"}


def _order_agg(rows: pd.DataFrame, by) -> pd.DataFrame:
    return rows.groupby(by).agg(
        revenue=("amount", "sum"), orders=("_order_first", "sum"), active_customers=("customer_id", "nunique")
    )


def _cards(orders: pd.DataFrame, tickets: pd.DataFrame | None) -> dict:
    revenue, count = float(orders["amount"].sum()), int(orders["_order_first"].sum())
    out = {"revenue": revenue, "orders": count, "active_customers": int(orders["customer_id"].nunique())}
    if tickets is not None:
        out |= _ticket_measures(tickets).agg(TICKET_AGG).to_dict()
    out["aov"] = revenue / count if count else None
    return out


def overview(data: dict, inp: dict) -> dict:
    now, before = _both(data, "orders", inp)
    tnow, tbefore = _both(data, "tickets", inp)
    people = _customers(data, inp)
    base, churned = len(people), int(people["churned"].sum())
    cards = [_cards(now, tnow), _cards(before, tbefore)]
    for card in cards:
        card["churn_rate"] = churned / base if base else None
        card["complaint_rate"] = card["complaints"] / base * 1000 if base else None
    g, start = inp["grain"], inp["period"][0]
    series = _order_agg(now, _bucket(now, "orders", g, start)).join(
        _ticket_measures(tnow).groupby(_bucket(tnow, "tickets", g, start)).agg(TICKET_AGG), how="outer"
    )
    series = series.fillna(dict.fromkeys(ADDITIVE, 0))  # counts and sums: 0 where a bucket has no row
    first = (inp["previous"] or inp["period"])[0]
    past = before.groupby(_bucket(before, "orders", g, first))["amount"].sum().rename("revenue")
    moved = {}
    splits = (("revenue", (now, before), "amount"), ("complaints", (tnow, tbefore), "_complaint"))
    for metric, frames, measure in splits:
        parts = []
        for dim in MOVED:
            sums = [f.groupby(f[dim].fillna("(none)"))[measure].sum() for f in frames]
            both = pd.concat(sums, axis=1, keys=["current", "previous"]).fillna(0)
            both = both[(both["current"] != 0) | (both["previous"] != 0)]
            parts.append(both.rename_axis("value").reset_index().assign(dimension=dim))
        moved[metric] = pd.concat(parts, ignore_index=True)
    complaint = tnow["_complaint"].to_numpy()
    return {
        "cards": cards,
        "series": series.reset_index(),
        "past": past.reset_index(),
        "moved": moved,
        "overdue": _overdue(data, inp),
        "spike": _spike(people),
        "linked": (int((complaint & tnow["_known"].to_numpy()).sum()), int(complaint.sum())),
    }


def _overdue(data: dict, inp: dict) -> tuple[int, float | None, list]:
    """Open complaint tickets past due as of the latest ticket: how many, the longest overdue
    (hours) and the first 500 ids, most urgent first, then longest overdue."""
    frame, latest = data["tickets"], pd.Timestamp(inp["as_of"])
    keep = frame["_complaint"].to_numpy() & frame["resolved_at"].isna().to_numpy() & frame["_open"].to_numpy()
    keep &= (frame["_due"] < latest).to_numpy()
    for dim, values in inp["dims"].items():
        keep &= frame[dim].isin(values).to_numpy()
    rows = frame.loc[keep, ["ticket_id", "created_at", "_urgency", "_due"]]
    if rows.empty:
        return 0, None, []
    hours = (latest.floor("min") - rows["_due"].dt.floor("min")).dt.total_seconds() / 3600.0
    rows = rows.assign(overdue_hours=hours)
    order = ["_urgency", "overdue_hours", "ticket_id", "created_at"]
    shown = rows.sort_values(order, ascending=[True, False, True, True])
    return len(rows), float(hours.max()), shown["ticket_id"].head(500).tolist()


def _spike(people: pd.DataFrame) -> dict | None:
    """The latest month's churned customers against the mean + 2σ of the 12 months before."""
    gone = people[people["churned"].fillna(False).astype(bool) & people["churn_date"].notna()]
    monthly = gone.groupby(gone["churn_date"].dt.to_period("M")).size().sort_index()
    if len(monthly) < 6:
        return None
    last, history = monthly.iloc[-1], monthly.iloc[-13:-1]
    threshold = history.mean() + 2 * history.std(ddof=1)
    if last <= threshold:
        return None
    return {"month": monthly.index[-1].start_time.date(), "churned": int(last), "threshold": float(threshold)}


def channels(data: dict, inp: dict) -> dict:
    now, before = _both(data, "orders", inp)
    g = inp["grain"]
    channel = now["channel"].fillna("(none)")
    over = _order_agg(now, [_bucket(now, "orders", g, inp["period"][0]), channel])
    over = over.rename(columns={"active_customers": "customers"})
    for col in ("revenue", "orders", "customers"):
        over[f"{col}_share"] = over[col] / over.groupby(level=0)[col].transform("sum")
    cross = {dim: now.groupby([channel, now[dim].fillna("(none)")])["amount"].sum() for dim in ("region", "segment")}
    first = now[(now["order_date"] == now["_first_at"]).to_numpy()]
    by = [_truncate(first["_first_at"], g).rename("bucket"), first["_first_channel"].fillna("(none)").rename("channel")]
    acquired = first.groupby(by)["customer_id"].nunique().rename("new_customers")
    tickets = _rows(data, "tickets", inp, inp["period"])
    measures = _ticket_measures(tickets)
    service = measures.groupby(tickets["channel"].fillna("(none)")).agg(TICKET_AGG)
    service["tickets"] = tickets.groupby(tickets["channel"].fillna("(none)")).size()
    return {
        "cards": [_cards(now, None), _cards(before, None)],
        "over_time": over.reset_index(),
        "cross": {dim: frame.rename("revenue").reset_index() for dim, frame in cross.items()},
        "acquisition": acquired.reset_index(),
        "service": service.reset_index(),
    }
