"""Campaigns (SPEC §3 `campaigns`, `contacts`; §6 `response_rate`, `conversion_rate`, `roi`,
`uplift`): what each campaign cost and earned, its lift against a control group, who responded,
the funnel and the timeline.

- Contacted / responded / converted count the *treatment* contacts (a contact without a group is
  treatment). The control group only measures uplift.
- Attributed revenue: the contacts' own `revenue` where the file carries it, else the contacted
  customers' counted orders within the attribution window after contact (`win=`, default 30 days).
- Uplift: treatment − control conversion, with the two-proportion (Wald) 95 % interval; it is
  significant when the interval excludes 0. Without a control group there is no uplift, and the
  page says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight import settings
from insight.db import dialect
from insight.db.workspace import quote
from insight.i18n import Message, msg
from insight.semantic.filters import whole_number
from insight.semantic.scope import Scope

AGE_BANDS = (
    (0, 25, "<25"),
    (25, 35, "25-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 200, "65+"),
)
ATTRIBUTES = ("segment", "tier", "rfm", "region", "channel", "age_band")


def window(scope: Scope) -> tuple[int, list[Message]]:
    raw = dict(scope.filters.extra).get("win")
    if raw is None:
        return settings.ATTRIBUTION_DAYS, []
    if (days := whole_number(raw)) is not None and 1 <= days <= 365:
        return days, []
    return settings.ATTRIBUTION_DAYS, [msg("ignored.win", value=raw)]


def _group(cols) -> str:
    return "lower(coalesce(CAST(k.\"group\" AS VARCHAR), 'treatment'))" if "group" in cols else "'treatment'"


def _flag(cols, col: str) -> str:
    return f"coalesce(CAST(k.{col} AS BOOLEAN), false)" if col in cols else "false"


def own_revenue(scope: Scope) -> bool:
    """Whether the contacts carry their own revenue (then the attribution window is not used)."""
    return scope.has("contacts", "revenue") and bool(
        scope.scalar(f"SELECT count(revenue) FROM {scope.table('contacts')}")
    )


def _revenue(scope: Scope, days: int) -> tuple[str, str, list]:
    """(join, expression of a contact's attributed revenue, params)."""
    cols = scope.columns["contacts"]
    if own_revenue(scope):
        return "", "coalesce(k.revenue, 0)", []
    if not scope.has("orders", "customer_id", "order_date") or "contacted_at" not in cols:
        return "", "0", []
    join = (
        f"LEFT JOIN (SELECT {dialect.row_id('k2')} AS _k, sum(o.amount) AS revenue FROM {scope.table('contacts')} k2 "
        f"JOIN {scope.table('orders')} o ON o.customer_id = k2.customer_id AND o._valid "
        f"AND o.order_date >= k2.contacted_at AND o.order_date < {dialect.plus_days_time('k2.contacted_at', '?')} "
        f"GROUP BY 1) a ON a._k = {dialect.row_id('k')}"
    )
    return join, "coalesce(a.revenue, 0)", [days]


def campaign_table(scope: Scope) -> pd.DataFrame | None:
    """One row per campaign with contacts in scope: spend, contacted, responded, converted, rates,
    attributed revenue, ROI, cost per conversion, and the control group's size and conversion
    with the uplift, its interval and whether it is significant."""
    if not scope.snap.has("contacts"):
        return None
    cols = scope.columns["contacts"]
    days, _ = window(scope)
    where, params = scope.where("contacts", "k")  # the global filters, and the period by contact time
    join, revenue, rparams = _revenue(scope, days)
    group = _group(cols)
    treat = f"{group} <> 'control'"
    frame = scope.query(
        f"""SELECT CAST(k.campaign_id AS VARCHAR) AS campaign_id,
               count(*) FILTER (WHERE {treat}) AS contacted,
               count(*) FILTER (WHERE {treat} AND {_flag(cols, "responded")}) AS responded,
               count(*) FILTER (WHERE {treat} AND {_flag(cols, "converted")}) AS converted,
               coalesce(sum({revenue}) FILTER (WHERE {treat}), 0) AS attributed_revenue,
               count(*) FILTER (WHERE {group} = 'control') AS control,
               count(*) FILTER (WHERE {group} = 'control' AND {_flag(cols, "converted")}) AS control_converted,
               {"min(k.contacted_at)" if "contacted_at" in cols else "NULL"} AS first_contact
        FROM {scope.table("contacts")} k {join} WHERE {where} GROUP BY 1""",
        [*rparams, *params],
    )
    if frame.empty:
        return frame
    if scope.snap.has("campaigns"):
        ccols = scope.columns["campaigns"]
        picks = ["CAST(campaign_id AS VARCHAR) AS campaign_id"] + [
            quote(c) for c in ("name", "channel", "start_date", "end_date", "spend", "target_segment") if c in ccols
        ]
        info = scope.query(f"SELECT {', '.join(picks)} FROM {scope.table('campaigns')}")
        frame = info.merge(frame, on="campaign_id", how="right")
    if "spend" not in frame:
        frame["spend"] = np.nan
    frame["response_rate"] = frame["responded"] / frame["contacted"].where(frame["contacted"] > 0)
    frame["conversion_rate"] = frame["converted"] / frame["contacted"].where(frame["contacted"] > 0)
    frame["roi"] = (frame["attributed_revenue"] - frame["spend"]) / frame["spend"].where(frame["spend"] > 0)
    frame["cost_per_conversion"] = frame["spend"] / frame["converted"].where(frame["converted"] > 0)
    frame = frame.join(frame.apply(_uplift_row, axis=1, result_type="expand"))
    bounds = ["uplift", "uplift_low", "uplift_high"]  # numbers even when no campaign has a control group
    frame[bounds] = frame[bounds].astype(float)
    sort = "start_date" if "start_date" in frame else "first_contact"
    return frame.sort_values([sort, "campaign_id"], na_position="last").reset_index(drop=True)


def _uplift_row(row) -> pd.Series:
    return pd.Series(uplift(row["converted"], row["contacted"], row["control_converted"], row["control"]))


def uplift(converted: int, contacted: int, control_converted: int, control: int) -> dict:
    """Treatment − control conversion with its 95 % interval; None without both groups."""
    if not contacted or not control:
        return {"uplift": None, "uplift_low": None, "uplift_high": None, "significant": None, "verdict": "no_control"}
    from statsmodels.stats.proportion import confint_proportions_2indep  # lazily: 1 s to import

    low, high = confint_proportions_2indep(
        int(converted), int(contacted), int(control_converted), int(control), method="wald", compare="diff"
    )
    diff = converted / contacted - control_converted / control
    significant = bool(low > 0 or high < 0)
    if control < settings.MIN_GROUP:  # the interval is not to be trusted on a handful of controls
        verdict, significant = "small_control", None
    else:
        verdict = "lift" if significant and diff > 0 else "drop" if significant else "no_evidence"
    return {
        "uplift": diff,
        "uplift_low": float(low),
        "uplift_high": float(high),
        "significant": significant,
        "verdict": verdict,
    }


def totals(table: pd.DataFrame | None) -> dict:
    """The headline figures over the campaigns in scope (pooled)."""
    keys = ("response_rate", "conversion_rate", "roi", "uplift")
    if table is None or table.empty:
        return dict.fromkeys(keys)
    contacted = table["contacted"].sum()
    spend = table["spend"].sum(min_count=1)
    with_control = table[table["control"] > 0]
    pooled = uplift(
        with_control["converted"].sum(),
        with_control["contacted"].sum(),
        with_control["control_converted"].sum(),
        with_control["control"].sum(),
    )
    return {
        "response_rate": table["responded"].sum() / contacted if contacted else None,
        "conversion_rate": table["converted"].sum() / contacted if contacted else None,
        "roi": (table["attributed_revenue"].sum() - spend) / spend if spend and spend == spend else None,
        "uplift": pooled["uplift"],
    }


def _headline(scope: Scope, key: str) -> float | None:
    value = totals(campaign_table(scope))[key]
    return None if value is None or value != value else float(value)


def response_rate(scope: Scope) -> float | None:
    """The registry's `response_rate`: responders among the treatment contacts in scope."""
    return _headline(scope, "response_rate")


def conversion_rate(scope: Scope) -> float | None:
    """The registry's `conversion_rate`: converters among the treatment contacts in scope."""
    return _headline(scope, "conversion_rate")


def roi(scope: Scope) -> float | None:
    """The registry's `roi`: (attributed revenue − spend) / spend of the campaigns in scope."""
    return _headline(scope, "roi")


def uplift_rate(scope: Scope) -> float | None:
    """The registry's `uplift`: treatment − control conversion, pooled over campaigns with a control."""
    return _headline(scope, "uplift")


def who_responded(scope: Scope, attr: str) -> pd.DataFrame | None:
    """Response and conversion of treatment contacts by one customer attribute."""
    from insight.domain import churn

    cols = scope.columns.get("contacts", frozenset())
    if "customer_id" not in cols:
        return None
    if attr == "age_band":
        if not scope.has("customers", "age"):
            return None
        cases = " ".join(f"WHEN a.age >= {lo} AND a.age < {hi} THEN '{name}'" for lo, hi, name in AGE_BANDS)
        join, value = f"LEFT JOIN {scope.table('customers')} a ON a.customer_id = k.customer_id", f"CASE {cases} END"
    elif attr in ("tier", "rfm", "channel") or scope.has("customers", attr):
        join, value = churn.attribute_join(scope, attr, "k.customer_id")
    else:
        return None
    where, params = scope.where("contacts", "k")  # the global filters, and the period by contact time
    frame = scope.query(
        f"""SELECT {value} AS value, count(*) AS contacted,
               count(*) FILTER (WHERE {_flag(cols, "responded")}) AS responded,
               count(*) FILTER (WHERE {_flag(cols, "converted")}) AS converted
        FROM {scope.table("contacts")} k {join} WHERE {where} AND {_group(cols)} <> 'control' GROUP BY 1""",
        params,
    )
    frame["response_rate"] = frame["responded"] / frame["contacted"]
    frame["conversion_rate"] = frame["converted"] / frame["contacted"]
    return frame.sort_values("conversion_rate", ascending=False).reset_index(drop=True)


def funnel(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Contacted → responded → converted per campaign (`campaign_id`) or per campaign channel."""
    key = by if by in table else "campaign_id"
    out = table.groupby(key, dropna=False)[["contacted", "responded", "converted"]].sum().reset_index()
    return out.rename(columns={key: "value"})


def contact_funnel(scope: Scope) -> pd.DataFrame | None:
    """The funnel per contact channel where contacts carry their own (cellular, telephone, SMS …)."""
    cols = scope.columns.get("contacts", frozenset())
    if "channel" not in cols:
        return None
    where, params = scope.where("contacts", "k")  # the global filters, and the period by contact time
    return scope.query(
        f"""SELECT coalesce(CAST(k.channel AS VARCHAR), '—') AS value, count(*) AS contacted,
               count(*) FILTER (WHERE {_flag(cols, "responded")}) AS responded,
               count(*) FILTER (WHERE {_flag(cols, "converted")}) AS converted
        FROM {scope.table("contacts")} k WHERE {where} AND {_group(cols)} <> 'control' GROUP BY 1 ORDER BY 2 DESC""",
        params,
    )


def timeline(scope: Scope, table: pd.DataFrame) -> pd.DataFrame | None:
    """Monthly revenue over the campaigns' span, for the timeline next to their spend."""
    if not scope.has("orders", "order_date") or "start_date" not in table or table["start_date"].isna().all():
        return None
    start = pd.Timestamp(table["start_date"].min()).date().replace(day=1)
    ends = pd.to_datetime(table["end_date"]) if "end_date" in table else pd.Series(dtype="datetime64[ns]")
    end = (ends.max() if ends.notna().any() else pd.to_datetime(table["start_date"]).max()).date()
    from insight.semantic.query import Query, run  # the registry's revenue

    frame = run(scope, Query(("revenue",), grain="month", periods=((start, end),), sort=("bucket",)))
    return frame.rename(columns={"bucket": "month"})[["month", "revenue"]]
