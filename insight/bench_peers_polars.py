"""The Polars peer (insight/bench_peers.py): the Overview's and Channel mix's figures from the
prepared rows held in memory, one function per page, returning the figures in the shape
`bench_peers.product_figures` gives the product's."""

from __future__ import annotations

import datetime as dt

import polars as pl

EVERY = {"hour": "1h", "day": "1d", "week": "1w", "month": "1mo"}
TIME = {"orders": "_day", "tickets": "created_at"}
MOVED = ("region", "channel", "segment")
COMPLAINT = pl.col("_complaint")
RESOLVED = pl.col("resolved_at").is_not_null() & (pl.col("resolved_at") >= pl.col("created_at"))


def _rows(data: dict, table: str, inp: dict, period) -> pl.DataFrame:
    start, end = (dt.datetime.combine(d, dt.time()) for d in period)
    keep = pl.col(TIME[table]).is_between(start, end + dt.timedelta(days=1), closed="left")
    if table == "orders":
        keep &= pl.col("_valid")
    for dim, values in inp["dims"].items():
        keep &= pl.col(dim).is_in(values)
    return data[table].filter(keep)


def _both(data: dict, table: str, inp: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of the period and of the comparison period (none without one)."""
    now = _rows(data, table, inp, inp["period"])
    return now, _rows(data, table, inp, inp["previous"]) if inp["previous"] else now.head(0)


def _customers(data: dict, inp: dict) -> pl.DataFrame:
    """The customers under the filters (a state: no period); channel: those who ordered through it."""
    keep = pl.lit(True)
    for dim in ("region", "segment"):
        if dim in inp["dims"]:
            keep &= pl.col(dim).is_in(inp["dims"][dim])
    frame = data["customers"].filter(keep)
    if "channel" in inp["dims"]:
        through = data["customer_channels"].filter(pl.col("channel").is_in(inp["dims"]["channel"]))
        frame = frame.filter(pl.col("customer_id").is_in(through["customer_id"].implode()))
    return frame


def _bucket(table: str, g: str, start: dt.date) -> pl.Expr:
    """The bucket a row falls in: its hour, day, week or month, from the period start on."""
    source = pl.col("order_date" if table == "orders" and g == "hour" else TIME[table])
    first = dt.datetime.combine(start, dt.time())
    return pl.max_horizontal(source.dt.truncate(EVERY[g]), pl.lit(first)).alias("bucket")


ADDITIVE = ("revenue", "orders", "active_customers", "complaints")
ORDER_MEASURES = {
    "revenue": pl.col("amount").sum(),
    "orders": pl.col("_order_first").sum(),
    "active_customers": pl.col("customer_id").drop_nulls().n_unique(),
}
TICKET_MEASURES = {
    "complaints": COMPLAINT.sum(),
    "on_time_rate": (pl.col("resolved_at") <= pl.col("_due")).fill_null(False).cast(pl.Float64).filter(RESOLVED).mean(),
    "csat": pl.col("satisfaction").mean(),
}


def _cards(orders: pl.DataFrame, tickets: pl.DataFrame | None) -> dict:
    out = orders.select(**ORDER_MEASURES).row(0, named=True)
    if tickets is not None:
        out |= tickets.select(**TICKET_MEASURES).row(0, named=True)
    out["aov"] = out["revenue"] / out["orders"] if out["orders"] else None
    return out


def overview(data: dict, inp: dict) -> dict:
    now, before = _both(data, "orders", inp)
    tnow, tbefore = _both(data, "tickets", inp)
    people = _customers(data, inp)
    base, churned = people.height, int(people["churned"].sum())
    cards = [_cards(now, tnow), _cards(before, tbefore)]
    for card in cards:
        card["churn_rate"] = churned / base if base else None
        card["complaint_rate"] = card["complaints"] / base * 1000 if base else None
    g, start = inp["grain"], inp["period"][0]
    series = now.group_by(_bucket("orders", g, start)).agg(**ORDER_MEASURES)
    series = series.join(
        tnow.group_by(_bucket("tickets", g, start)).agg(**TICKET_MEASURES), on="bucket", how="full", coalesce=True
    ).with_columns(pl.col(ADDITIVE).fill_null(0))  # counts and sums: 0 where a bucket has no row
    first = (inp["previous"] or inp["period"])[0]
    past = before.group_by(_bucket("orders", g, first)).agg(revenue=pl.col("amount").sum())
    moved = {}
    for metric, frames, measure in (
        ("revenue", (now, before), "amount"),
        ("complaints", (tnow, tbefore), "_complaint"),
    ):
        parts = []
        for dim in MOVED:
            sums = [
                f.group_by(pl.col(dim).fill_null("(none)").alias("value")).agg(pl.col(measure).sum().alias(name))
                for f, name in zip(frames, ("current", "previous"), strict=True)
            ]
            both = sums[0].join(sums[1], on="value", how="full", coalesce=True).fill_null(0)
            both = both.filter((pl.col("current") != 0) | (pl.col("previous") != 0))
            parts.append(both.with_columns(dimension=pl.lit(dim)))
        moved[metric] = pl.concat(parts, how="diagonal_relaxed")
    return {
        "cards": cards,
        "series": series,
        "past": past,
        "moved": moved,
        "overdue": _overdue(data, inp),
        "spike": _spike(people),
        "linked": (int(tnow.filter(COMPLAINT & pl.col("_known")).height), int(tnow.filter(COMPLAINT).height)),
    }


def _overdue(data: dict, inp: dict) -> tuple[int, float | None, list]:
    """Open complaint tickets past due as of the latest ticket: how many, the longest overdue
    (hours) and the first 500 ids, most urgent first, then longest overdue."""
    latest = inp["as_of"]
    keep = COMPLAINT & pl.col("resolved_at").is_null() & (pl.col("_due") < latest) & pl.col("_open")
    for dim, values in inp["dims"].items():
        keep &= pl.col(dim).is_in(values)
    rows = data["tickets"].filter(keep)
    hours = (pl.lit(latest).dt.truncate("1m") - pl.col("_due").dt.truncate("1m")).dt.total_minutes() / 60.0
    rows = rows.select("ticket_id", "created_at", "_urgency", hours.alias("overdue_hours"))
    if rows.is_empty():
        return 0, None, []
    shown = rows.sort(["_urgency", "overdue_hours", "ticket_id", "created_at"], descending=[False, True, False, False])
    return rows.height, float(rows["overdue_hours"].max()), shown.head(500)["ticket_id"].to_list()


def _spike(people: pl.DataFrame) -> dict | None:
    """The latest month's churned customers against the mean + 2σ of the 12 months before."""
    monthly = (
        people.filter(pl.col("churned") & pl.col("churn_date").is_not_null())
        .group_by(pl.col("churn_date").dt.truncate("1mo").alias("month"))
        .agg(churned=pl.len())
        .sort("month")
    )
    if monthly.height < 6:
        return None
    last, history = monthly.row(-1, named=True), monthly["churned"][-13:-1]
    threshold = history.mean() + 2 * history.std(ddof=1)
    if last["churned"] <= threshold:
        return None
    return {"month": last["month"].date(), "churned": last["churned"], "threshold": threshold}


def channels(data: dict, inp: dict) -> dict:
    now, before = _both(data, "orders", inp)
    g = inp["grain"]
    over = now.group_by(_bucket("orders", g, inp["period"][0]), pl.col("channel").fill_null("(none)")).agg(
        revenue=ORDER_MEASURES["revenue"], orders=ORDER_MEASURES["orders"], customers=ORDER_MEASURES["active_customers"]
    )
    over = over.with_columns(
        (pl.col(c) / pl.col(c).sum().over("bucket")).alias(f"{c}_share") for c in ("revenue", "orders", "customers")
    )
    cross = {
        dim: now.group_by(pl.col("channel").fill_null("(none)"), pl.col(dim).fill_null("(none)")).agg(
            revenue=pl.col("amount").sum()
        )
        for dim in ("region", "segment")
    }
    first = now.filter(pl.col("order_date") == pl.col("_first_at"))
    by = [pl.col("_first_at").dt.truncate(EVERY[g]).alias("bucket")]
    by.append(pl.col("_first_channel").fill_null("(none)").alias("channel"))
    acquired = first.group_by(*by).agg(new_customers=pl.col("customer_id").drop_nulls().n_unique())
    tickets = _rows(data, "tickets", inp, inp["period"])
    service = tickets.group_by(pl.col("channel").fill_null("(none)")).agg(tickets=pl.len(), **TICKET_MEASURES)
    return {
        "cards": [_cards(now, None), _cards(before, None)],
        "over_time": over,
        "cross": cross,
        "acquisition": acquired,
        "service": service,
    }
