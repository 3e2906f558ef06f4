"""The churn page's charts: the rate trend, rates by segment, cohorts, survival and the model's
calibration and importances."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from insight.chart_style import PALETTE, ink, relayout
from insight.charts.base import BLUES, T, add, figure, layout, trace


def churn_trend(frame: pd.DataFrame, compare: pd.DataFrame | None, t: T) -> dict:
    """Monthly churn rate; provisional months hollow on a dotted stretch; the comparison period
    dashed, aligned month by month. A click on a month sets the period to it."""
    fig = figure()
    months = [str(m)[:7] for m in frame["month"]]
    final = ~frame["provisional"].to_numpy(bool)
    last_final = max((i for i, f in enumerate(final) if f), default=-1)
    solid = frame["churn_rate"].where(final)
    add(
        fig,
        "scatter",
        x=months,
        y=solid,
        mode="lines+markers",
        name=t("churn.trend.current"),
        line={"color": PALETTE[0]},
        customdata=[str(m) for m in frame["month"]],
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    if not final.all():
        tail = frame["churn_rate"].where(~final | (pd.Series(range(len(frame))) == last_final).to_numpy())
        add(
            fig,
            "scatter",
            x=months,
            y=tail,
            mode="lines+markers",
            name=t("churn.trend.provisional"),
            line={"color": PALETTE[0], "dash": "dot"},
            marker={"symbol": "circle-open", "size": 9},
            customdata=[str(m) for m in frame["month"]],
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    if compare is not None and len(compare):
        n = min(len(compare), len(frame))
        add(
            fig,
            "scatter",
            x=months[:n],
            y=compare["churn_rate"].iloc[:n],
            mode="lines",
            name=t("churn.trend.compare"),
            line={"color": PALETTE[7], "dash": "dash"},
            text=[str(m)[:7] for m in compare["month"].iloc[:n]],
            hovertemplate="%{text}: %{y:.1%}<extra></extra>",
        )
    relayout(fig, yaxis={"tickformat": ".1%", "rangemode": "tozero"}, xaxis={"type": "category"})
    return layout(fig, t("churn.trend"))


def rate_bars(frame: pd.DataFrame, title: str, label: Callable[[str], str], t: T) -> dict:
    """Churn rate per group with its 95 % interval; small groups grey and last."""
    shown = frame.iloc[::-1]
    names = [label(v) for v in shown["value"]]
    fig = figure(
        trace(
            "bar",
            y=names,
            x=shown["churn_rate"],
            orientation="h",
            marker={"color": [PALETTE[7] if s else PALETTE[1] for s in shown["small"]]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown["high"] - shown["churn_rate"],
                "arrayminus": shown["churn_rate"] - shown["low"],
            },
            customdata=[str(v) if v is not None and v == v else "" for v in shown["value"]],
            text=[f"{r:.1%} · n={int(n):,}" for r, n in zip(shown["churn_rate"], shown["customers"], strict=True)],
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white"},
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    relayout(fig, xaxis={"tickformat": ".0%", "rangemode": "tozero"}, yaxis={"type": "category"})
    return layout(fig, title, height=max(260, 60 + 34 * len(frame)))


def cohort_grid(matrix: pd.DataFrame, column: str, title: str) -> dict:
    """Cohort × months-since retention, complete cells only: an incomplete cell is left empty."""
    rows = sorted(matrix["cohort"].unique())
    cells = matrix.dropna(subset=[column])
    size = max(14, min(40, 300 / max(len(rows), 1)))
    fig = figure(
        trace(
            "scatter",
            x=cells["offset"],
            y=cells["cohort"],
            mode="markers+text",
            text=[f"{v:.0%}" for v in cells[column]],
            textfont={"size": 10, "color": [ink(v, 1.0) for v in cells[column]]},
            customdata=cells["cohort"],
            marker={
                "symbol": "square",
                "size": size,
                "color": cells[column],
                "colorscale": BLUES,
                "cmin": 0,
                "cmax": 1,
                "showscale": True,
                "line": {"width": 0},
            },
            hovertemplate="%{y} +%{x}: %{marker.color:.1%}<extra></extra>",
        )
    )
    relayout(
        fig,
        xaxis={"dtick": 1, "showgrid": False, "title": None},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": rows[::-1], "showgrid": False},
        showlegend=False,
    )
    return layout(fig, title, height=max(320, 90 + 26 * len(rows)))


def retention_curves(matrix: pd.DataFrame, cohorts: list[str], column: str, t: T) -> dict:
    """Retention by months since first order for the chosen cohorts, and the average of all."""
    fig = figure()
    weights = matrix.assign(w=matrix[column] * matrix["customers"]).groupby("offset")[["w", "customers"]].sum()
    add(
        fig,
        "scatter",
        x=weights.index,
        y=weights["w"] / weights["customers"],
        mode="lines",
        name=t("churn.cohorts.average"),
        line={"color": PALETTE[7], "width": 3, "dash": "dash"},
    )
    for i, cohort in enumerate(cohorts):
        part = matrix[matrix["cohort"] == cohort]
        add(
            fig,
            "scatter",
            x=part["offset"],
            y=part[column],
            mode="lines+markers",
            name=cohort,
            line={"color": PALETTE[i % len(PALETTE)]},
        )
    relayout(fig, yaxis={"tickformat": ".0%", "rangemode": "tozero"}, xaxis={"dtick": 1})
    return layout(fig, t("churn.cohorts.curves"))


def survival(curves: pd.DataFrame, title: str, x_title: str) -> dict:
    """Kaplan–Meier curves, one step line per group."""
    fig = figure()
    for i, (name, part) in enumerate(curves.groupby("group", sort=False)):
        add(
            fig,
            "scatter",
            x=part["time"],
            y=part["survival"],
            mode="lines",
            name=str(name),
            line={"color": PALETTE[i % len(PALETTE)], "shape": "hv"},
            hovertemplate=f"{name}: %{{y:.1%}} @ %{{x:.0f}}<extra></extra>",
        )
    relayout(fig, yaxis={"tickformat": ".0%", "range": [0, 1.02]}, xaxis={"title": {"text": x_title}})
    return layout(fig, title)


def calibration(frame: pd.DataFrame, t: T) -> dict:
    fig = figure()
    add(
        fig,
        "scatter",
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        name=t("churn.model.perfect"),
        line={"color": "#adb5bd", "dash": "dot"},
    )
    add(
        fig,
        "scatter",
        x=frame["predicted"],
        y=frame["observed"],
        mode="lines+markers",
        name=t("churn.model.observed"),
        line={"color": PALETTE[0]},
    )
    top = float(max(frame["predicted"].max(), frame["observed"].max(), 0.05)) * 1.1
    relayout(
        fig,
        xaxis={"tickformat": ".0%", "range": [0, top], "title": {"text": t("churn.model.predicted")}},
        yaxis={"tickformat": ".0%", "range": [0, top]},
    )
    return layout(fig, t("churn.model.calibration"))


def importance(frame: pd.DataFrame, label: Callable[[str], str], t: T, top: int = 12) -> dict:
    shown = frame.head(top).iloc[::-1]
    fig = figure(
        trace(
            "bar",
            y=[label(f) for f in shown["feature"]],
            x=shown["importance"],
            orientation="h",
            error_x={"type": "data", "array": shown["std"]},
            marker={"color": PALETTE[0]},
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    return layout(fig, t("churn.model.importance"), height=max(280, 60 + 26 * len(shown)))
