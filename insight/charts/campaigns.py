"""The Campaigns page's figures: conversion, uplift with its interval, who responded, the funnels
and the timeline of spend against revenue. A click on a campaign carries its id."""

from __future__ import annotations

import pandas as pd

from insight.chart_style import PALETTE, relayout
from insight.charts.base import T, add, figure, layout, time_axis, trace


def conversion(camps: pd.DataFrame, title: str) -> dict:
    fig = figure(
        trace(
            "bar",
            x=camps["label"],
            y=camps["conversion_rate"],
            customdata=camps["campaign_id"],
            marker={"color": PALETTE[0]},
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    relayout(fig, yaxis={"tickformat": ".0%"}, xaxis={"type": "category"})
    return layout(fig, title)


def uplift(measured: pd.DataFrame, title: str) -> dict:
    """Uplift per campaign with its 95 % interval; significant lifts in green."""
    fig = figure(
        trace(
            "bar",
            x=measured["label"],
            y=measured["uplift"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": measured["uplift_high"] - measured["uplift"],
                "arrayminus": measured["uplift"] - measured["uplift_low"],
            },
            customdata=measured["campaign_id"],
            marker={"color": [PALETTE[2] if s is True else PALETTE[7] for s in measured["significant"]]},
            text=measured["verdict"],
            hovertemplate="%{x}: %{y:+.1%} · %{text}<extra></extra>",
        )
    )
    relayout(fig, yaxis={"tickformat": "+.0%"}, xaxis={"type": "category"})
    return layout(fig, title)


def who_responded(who: pd.DataFrame, title: str, t: T) -> dict:
    shown = who.assign(value=[str(v) if v is not None else "—" for v in who["value"]])
    fig = figure()
    for rate, name in (("response_rate", "camp.stage.responded"), ("conversion_rate", "camp.stage.converted")):
        add(fig, "bar", x=shown["value"], y=shown[rate], name=t(name))
    relayout(fig, yaxis={"tickformat": ".0%"}, xaxis={"type": "category"}, barmode="group")
    return layout(fig, title)


def funnel(frame: pd.DataFrame, title: str, t: T) -> dict:
    fig = figure()
    for stage in ("contacted", "responded", "converted"):
        add(fig, "bar", x=frame["value"].astype(str), y=frame[stage], name=t(f"camp.stage.{stage}"))
    relayout(fig, barmode="group", xaxis={"type": "category"})
    return layout(fig, title)


def timeline(camps: pd.DataFrame, line: pd.DataFrame, t: T) -> dict:
    """Each campaign's spend on its start month, under the revenue line (the line on top)."""
    fig = figure()
    add(
        fig,
        "bar",
        x=camps["start_date"],
        y=camps["spend"],
        name=t("camp.spend"),
        text=camps["campaign_id"],
        customdata=camps["campaign_id"],
        marker={"color": PALETTE[1]},
        meta={"fmt": "money"},
    )
    line_on_top = {"yaxis": "y2", "meta": {"fmt": "money"}}  # the chart rules: the line over the bars
    add(fig, "scatter", x=line["month"], y=line["revenue"], mode="lines", name=t("metric.revenue"), **line_on_top)
    relayout(fig, yaxis={"side": "right"}, yaxis2={"overlaying": "y", "side": "left", "showgrid": False})
    return time_axis(layout(fig, t("camp.timeline")), "month", [*line["month"], *camps["start_date"]])
