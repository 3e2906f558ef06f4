"""Drill-down: what a click on a chart adds to the filters. Pure functions, unit-tested.

Charts put the drill key of each point in `custom_data` (first element); a click returns those
points, and the handler turns them into filter values or, on a time chart, into a period.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from insight.semantic.filters import DIMENSION_KEYS


def clicked_values(selection: dict | None) -> list[str]:
    """The drill keys of the clicked points, in click order, without repeats."""
    points = (selection or {}).get("points") or []
    values = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if data is None or data == "" or (isinstance(data, float) and pd.isna(data)):  # "": no drill key
            continue
        values.append(str(data))
    return list(dict.fromkeys(values))


def add_values(current: list[str] | tuple[str, ...], key: str, clicked: list[str]) -> list[str]:
    """The filter values after a drill: the clicked ones added to those already set."""
    if key not in DIMENSION_KEYS:
        raise ValueError(f"{key!r} is not a filter dimension")
    return list(dict.fromkeys([*current, *clicked]))


def bucket_period(bucket: str | dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The period a clicked time bucket stands for (a day — also for an hour, the shortest period —,
    an ISO week, or a month)."""
    start = pd.Timestamp(bucket).date()
    if grain in ("hour", "day"):
        return start, start
    if grain == "week":
        start = start - dt.timedelta(days=start.weekday())
        return start, start + dt.timedelta(days=6)
    if grain == "month":
        start = start.replace(day=1)
        nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return start, nxt - dt.timedelta(days=1)
    raise ValueError(f"unknown grain {grain!r}")
