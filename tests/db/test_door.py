"""The one door's limits: a time limit that interrupts DuckDB, and a row cap while fetching."""

from __future__ import annotations

import pytest

from insight.errors import InsightError, QueryTimeout

SLOW = "SELECT count(*) FROM range(100000000) a, range(100000) b WHERE a.range * b.range % 7 = 3"


def test_a_runaway_query_is_interrupted_with_a_typed_error(ws):
    with pytest.raises(QueryTimeout) as info:
        ws.query(SLOW, timeout=0.2)
    assert "was stopped" in str(info.value) and info.value.hint
    with pytest.raises(QueryTimeout):
        ws.scalar(SLOW, timeout=0.2)
    assert ws.scalar("SELECT 42") == 42  # the workspace carries on


def test_the_time_limit_is_a_setting(ws, monkeypatch):
    monkeypatch.setenv("INSIGHT_QUERY_TIMEOUT", "0.2")
    with pytest.raises(QueryTimeout, match="0.2 s"):
        ws.query(SLOW)


@pytest.mark.parametrize("total, cap", [(0, 5), (5, 5), (6, 5), (10_000, 2_048), (10_000, 9_999), (250_000, 100_000)])
def test_the_row_cap_stops_fetching_and_says_so(ws, total, cap):
    frame, truncated = ws.fetch(f"SELECT range AS n FROM range({total}) ORDER BY n", cap=cap)
    assert truncated == (total > cap)
    assert frame["n"].tolist() == list(range(min(total, cap)))
    if total > cap:
        with pytest.raises(InsightError, match=f"more than {cap:,} rows"):
            ws.query(f"SELECT range FROM range({total})", cap=cap)


@pytest.mark.parametrize("total, cap", [(30, 100), (100_000, 40_000), (100_000, 30_000), (1_000_000, 300_000)])
def test_rows_over_several_fetches_arrive_whole(ws, total, cap):
    """A filter leaves chunks part filled, so a result under the cap may need more than one fetch
    (the first fetch then read one row too many, and the rows are read again); text columns come
    as objects whichever way the rows were read."""
    sql = f"SELECT range AS n, CAST(range AS VARCHAR) AS s FROM range({total}) WHERE range % 3 = 0"
    expected = [n for n in range(total) if n % 3 == 0]
    frame, truncated = ws.fetch(sql, cap=cap)
    assert truncated == (len(expected) > cap)
    assert len(frame) == min(len(expected), cap)
    assert set(frame["n"]) <= set(expected) and frame["s"].tolist() == [str(n) for n in frame["n"]]
    if not truncated:
        assert sorted(frame["n"]) == expected
        assert frame["s"].dtype == object


def test_one_watchdog_stops_each_late_query_and_only_those(ws):
    """The time limits of concurrent queries share one watchdog thread: a query due early is stopped
    while one due later still runs, and the many queries that finish in time are never interrupted."""
    import threading

    finished: list[str] = []

    def run(name: str, sql: str, timeout: float) -> None:
        try:
            ws.scalar(sql, timeout=timeout)
            finished.append(f"{name} done")
        except QueryTimeout:
            finished.append(f"{name} stopped")

    late = threading.Thread(target=run, args=("late", SLOW, 3.0))
    late.start()
    early = threading.Thread(target=run, args=("early", SLOW, 0.2))
    early.start()
    quick = [threading.Thread(target=lambda: [run("quick", "SELECT 1", 30.0) for _ in range(50)]) for _ in range(4)]
    for thread in quick:
        thread.start()
    for thread in (*quick, early, late):
        thread.join()
    assert finished.count("quick done") == 200
    assert finished.index("early stopped") < finished.index("late stopped")
    assert ws.scalar("SELECT 42", timeout=0.5) == 42
