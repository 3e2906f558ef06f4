"""A view's tables as the CLI's JSON rows: every kind of column a figure holds, checked against
pandas' own `to_dict` with missing cells as None."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from insight.views.views import _records


def frames():
    n = 7
    rng = np.random.default_rng(3)
    times = pd.Series(pd.date_range("2025-01-01", periods=n, freq="37h"))
    yield pd.DataFrame(
        {
            "day": pd.Series(pd.date_range("2025-03-01", periods=n, freq="D")).where(rng.random(n) > 0.3),
            "at": times.where(rng.random(n) > 0.3),
            "count": rng.integers(0, 9, n),
            "share": np.where(rng.random(n) > 0.3, rng.random(n), np.nan),
            "nullable": pd.array([1, None, 3, None, 5, 6, None], dtype="Int64"),
            "flag": rng.random(n) > 0.5,
            "name": pd.Series(["a", None, "客户", "b", "", "c", None], dtype="str"),
            "date": [dt.date(2025, 1, d) for d in range(1, n + 1)],
            "mixed": [1, "x", None, 2.5, dt.date(2024, 2, 29), np.int64(4), np.nan],
        }
    )
    yield pd.DataFrame({"only": []})
    yield pd.DataFrame(index=range(3))


def expected(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for i in range(len(frame)):
        row = {}
        for col in frame.columns:
            v = frame[col].iloc[i]
            if pd.api.types.is_datetime64_any_dtype(frame[col]):
                v = None if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
            elif v is None or (not isinstance(v, str) and pd.isna(v)):
                v = None
            elif isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, np.generic):
                v = v.item()
            row[col] = v
        rows.append(row)
    return rows


@pytest.mark.parametrize("frame", list(frames()))
def test_rows_are_plain_values(frame):
    got = _records(frame)
    want = expected(frame)
    assert got == want
    assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in want]
    json.dumps(got, allow_nan=False)  # what the CLI prints: no NaN, no NumPy scalar
