"""The drill handler: what a chart click adds to the filters (AppTest cannot click Plotly)."""

from __future__ import annotations

import datetime as dt

import pytest

from insight.views.drill import add_values, bucket_period, clicked_values


def test_clicked_values_read_custom_data_in_order_without_repeats():
    selection = {
        "points": [
            {"customdata": ["App"]},
            {"customdata": "Store"},
            {"customdata": ["App"]},
            {"x": 3},
            {"customdata": []},
        ]
    }
    assert clicked_values(selection) == ["App", "Store"]
    assert clicked_values(None) == [] and clicked_values({"points": []}) == []


def test_add_values_keeps_existing_filters_and_refuses_unknown_keys():
    assert add_values(["East"], "region", ["West", "East"]) == ["East", "West"]
    with pytest.raises(ValueError):
        add_values([], "password", ["x"])


@pytest.mark.parametrize(
    ("bucket", "grain", "expected"),
    [
        ("2026-03-04", "day", (dt.date(2026, 3, 4), dt.date(2026, 3, 4))),
        ("2026-03-04", "week", (dt.date(2026, 3, 2), dt.date(2026, 3, 8))),
        ("2026-02-01", "month", (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ("2024-12-01", "month", (dt.date(2024, 12, 1), dt.date(2024, 12, 31))),
    ],
)
def test_time_buckets_drill_into_their_period(bucket, grain, expected):
    assert bucket_period(bucket, grain) == expected
