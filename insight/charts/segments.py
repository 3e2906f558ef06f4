"""The segments page's charts: the R × F grid, segment moves, the 80/20 curve and the cluster map."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from insight.chart_style import PALETTE, relayout
from insight.charts.base import T, add, figure, hline, layout, trace, vline
from insight.charts.kinds import tiles


def rf_grid(grid: pd.DataFrame, value: str, title: str, t: T, label: Callable[[str], str]) -> dict:
    """The 5 × 5 R × F grid (R 5 on top); each cell names its segment, a click lists it."""
    wide = grid.pivot(index="r", columns="f", values=value).sort_index(ascending=False)
    seg = grid.pivot(index="r", columns="f", values="rfm").sort_index(ascending=False)
    labels = [[label(seg.loc[r, f]) for f in wide.columns] for r in wide.index]
    custom = [[f"cell:{r}-{f}" for f in wide.columns] for r in wide.index]
    kind = "money" if value == "revenue" else "int"
    fig = tiles(wide.rename(index=lambda r: f"R{r}", columns=lambda f: f"F{f}"), custom, title, labels, 460, kind)
    relayout(fig, xaxis={"title": {"text": t("seg.f")}}, yaxis={"title": {"text": t("seg.r")}})
    return fig


def moves(frame: pd.DataFrame, order: tuple[str, ...], title: str, label: Callable[[str], str]) -> dict:
    """Segment now (columns) against the comparison period (rows); a click lists the movers."""
    codes = [c for c in order if c in set(frame["from_rfm"]) | set(frame["to_rfm"])]
    wide = frame.pivot_table(index="from_rfm", columns="to_rfm", values="customers", aggfunc="sum")
    wide = wide.reindex(index=codes, columns=codes).fillna(0)
    custom = [[f"move:{a}>{b}" for b in codes] for a in codes]
    return tiles(wide.rename(index=label, columns=label), custom, title, height=560)


def pareto(curve: pd.DataFrame, top20: float | None, t: T) -> dict:
    """Cumulative revenue share against cumulative customer share, with the 80/20 point."""
    fig = figure(
        trace("scatter", x=curve["customer_share"], y=curve["revenue_share"], mode="lines", line={"color": PALETTE[0]})
    )
    hline(fig, 0.8, line={"dash": "dot", "color": "#adb5bd"})
    vline(fig, 0.2, line={"dash": "dot", "color": "#adb5bd"})
    if top20 is not None:
        add(
            fig,
            "scatter",
            x=[0.2],
            y=[top20],
            mode="markers+text",
            marker={"size": 11, "color": PALETTE[1]},
            text=[t("seg.pareto.point", share=f"{top20:.1%}")],
            textposition="middle right",
        )
    relayout(
        fig,
        showlegend=False,
        xaxis={"tickformat": ".0%", "title": {"text": t("seg.pareto.x")}},
        yaxis={"tickformat": ".0%", "title": {"text": t("seg.pareto.y")}},
    )
    return layout(fig, t("seg.pareto"), height=380)


def projection(points: pd.DataFrame, title: str, label: Callable[[int], str]) -> dict:
    """Customers on two principal components, one colour per cluster; a click lists the cluster."""
    fig = figure()
    for cluster, part in points.groupby("cluster", sort=True):
        add(
            fig,
            "scattergl",
            x=part["x"],
            y=part["y"],
            mode="markers",
            name=label(int(cluster)),
            marker={"size": 4, "color": PALETTE[(int(cluster) - 1) % len(PALETTE)], "opacity": 0.6},
            customdata=[f"cluster:{int(cluster)}"] * len(part),
        )
    return layout(fig, title, height=420)
