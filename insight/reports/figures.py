"""What a report shows of each page: its charts (built with insight/charts/ from the page's own
figures) and its main table, both read from the same PageView as the CLI `view`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from insight.charts import churn as churn_charts
from insight.charts import complaints as complaint_charts
from insight.charts import kinds as chart_kinds
from insight.charts import sales as sales_charts
from insight.charts import segments as segment_charts
from insight.domain.overview import MOVED_DIMS, MOVED_METRICS
from insight.i18n import CATALOG
from insight.views.views import PageView

T = Callable[..., str]

#: Pages a report covers (the Customer page is one customer; the Data page has no figures).
REPORT_PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns")
#: Rows of a page's main table a report prints.
TABLE_ROWS = 25


#: Each page's main table in the view, and the columns a report prints of it.
MAIN_TABLES = {
    "channels": ("service", ("channel", "tickets", "complaints", "csat", "on_time_rate")),
    "segments": (
        "segments",
        ("rfm", "customers", "customer_share", "revenue", "revenue_share", "recency_days", "frequency", "monetary"),
    ),
    "churn": ("churn_by", ("value", "customers", "churned", "churn_rate", "low", "high")),
    "complaints": ("categories", ("value", "complaints", "share", "cum_share")),
    "campaigns": (
        "campaigns",
        (
            "campaign_id",
            "name",
            "spend",
            "contacted",
            "converted",
            "conversion_rate",
            "attributed_revenue",
            "roi",
            "uplift",
        ),
    ),
}


@dataclass(frozen=True)
class MainTable:
    title: str
    frame: pd.DataFrame  # the rows shown (at most TABLE_ROWS), columns as in the view's table
    total: int  # rows in the view's table


def options(pv: PageView) -> dict[str, str]:
    return dict(pv.filters.extra)


def figures(pv: PageView, t: T) -> list[dict]:
    """The page's charts (figure dicts), in the order the page shows them."""
    out = []
    if pv.page == "overview":
        out.append(sales_charts.trend(pv.series, t))
        metric, dim = _moved_choice(pv)
        moved = pv.moved.get(metric)
        if moved is not None and (moved["dimension"] == dim).any():
            out.append(sales_charts.waterfall(moved, dim, t(f"metric.{metric}"), t))
    elif pv.page == "channels":
        measure = options(pv).get("measure", "revenue")
        measure = measure if measure in ("revenue", "orders", "customers") else "revenue"
        share = options(pv).get("share") == "true"
        title = t("channels.over_time", measure=t(f"measure.{measure}"))
        out.append(chart_kinds.stacked(pv.over_time, f"{measure}_share" if share else measure, title, share))
        for dim, frame in (("region", pv.channel_region), ("segment", pv.channel_segment)):
            if len(frame):
                out.append(chart_kinds.heatmap(frame, "channel", dim, "revenue", t(f"channels.heat_{dim}")))
    elif pv.page == "segments" and pv.segments is not None:
        code = _coder(t)
        out.append(chart_kinds.coded_bars(pv.segments, "rfm", "customers", t("seg.by_segment"), code))
        out.append(chart_kinds.coded_bars(pv.tiers, "tier", "revenue", t("seg.tiers.by"), code))
        out.append(segment_charts.pareto(pv.pareto, pv.kpis["pareto_top20_share"].value, t))
    elif pv.page == "churn":
        if pv.trend is not None:
            out.append(churn_charts.churn_trend(pv.trend, pv.trend_compare, t))
        if pv.churn_by is not None:
            frame = pv.churn_by
            title = t("churn.by", attribute=_attribute(str(frame["attribute"].iloc[0]), t))
            out.append(churn_charts.rate_bars(frame, title, lambda v: "—" if v is None else str(v), t))
    elif pv.page == "complaints":
        if pv.categories is not None:
            cats = pv.categories
            title = t("cmp.pareto", level=t(f"cmp.level.{cats['level'].iloc[0]}"))
            out.append(complaint_charts.complaint_pareto(cats, title, t))
        if pv.trend is not None:
            out.append(complaint_charts.weekly_stacked(pv.trend, t("cmp.trend"), t))
    elif pv.page == "campaigns" and pv.campaigns is not None:
        out.append(chart_kinds.bars(pv.campaigns, "campaign_id", "conversion_rate", t("camp.conversion"), ".0%"))
    return out


def main_table(pv: PageView, t: T) -> MainTable | None:
    """The table a reader of the page looks at first."""
    if pv.page == "overview":
        metric, dim = _moved_choice(pv)
        moved = pv.moved.get(metric)
        if moved is None or not (moved["dimension"] == dim).any():
            return None
        frame = moved[moved["dimension"] == dim].drop(columns="dimension")
        title = t("overview.moved_chart", metric=t(f"metric.{metric}"), dim=t(f"dim.{dim}"))
    else:
        name, columns = MAIN_TABLES[pv.page]
        frame = getattr(pv, name)
        if frame is None or frame.empty:
            return None
        frame = frame[[c for c in columns if c in frame]]
        if "rfm" in frame:
            frame = frame.assign(rfm=frame["rfm"].map(_coder(t)))
        title = t(f"report.table.{pv.page}")
    return MainTable(title, frame.head(TABLE_ROWS).reset_index(drop=True), len(frame))


def _moved_choice(pv: PageView) -> tuple[str, str]:
    """The Overview's what-moved metric (`mv`) and split (`by`), as the page picks them."""
    opts = options(pv)
    metric = opts.get("mv") if opts.get("mv") in MOVED_METRICS else MOVED_METRICS[0]
    moved = pv.moved.get(metric)
    present = set(moved["dimension"]) if moved is not None else set()
    dims = tuple(d for d in MOVED_DIMS if d in present) or MOVED_DIMS
    return metric, opts.get("by") if opts.get("by") in dims else dims[0]


def _coder(t: T) -> Callable[[str], str]:
    def code(value: str) -> str:
        for key in (f"rfm.{value}", f"tier.{value}"):
            if key in CATALOG:
                return t(key)
        return value

    return code


def _attribute(name: str, t: T) -> str:
    return t(f"dim.{name}") if f"dim.{name}" in CATALOG else name
