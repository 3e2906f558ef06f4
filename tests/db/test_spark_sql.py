"""DuckDB SQL on Spark (insight/db/spark_sql.py): each construct sqlglot gets wrong or has no
twin for gives Spark exactly DuckDB's answer, on generated data with ties, NULLs and odd text;
bound values stay values. Real DuckDB and real Spark (local), one session for the run."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pandas as pd
import pytest

from insight.db import dialect, spark_sql

pytestmark = [
    pytest.mark.xdist_group("spark"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

#: DuckDB queries over `t` (k: a dense key 1..n with NULLs, g: a group, x: money, d: a timestamp
#: with seconds, q: a decimal), each with the construct it checks.
QUERIES = {
    "bitmap distinct count": "SELECT g, coalesce(bit_count(bitstring_agg(k, 1, 60) FILTER (WHERE k IS NOT NULL "
    "AND x > ?)), 0) AS n FROM t GROUP BY g ORDER BY g",
    "bitmap probe": "WITH s AS (SELECT bitstring_agg(k, 1, 60) AS kept FROM t WHERE k IS NOT NULL AND g = 'a') "
    "SELECT g, count(*) FILTER (WHERE k IS NOT NULL AND get_bit((SELECT kept FROM s), CAST(k - 1 AS INTEGER)) = 1) "
    "AS n FROM t GROUP BY ALL ORDER BY ALL",
    "percentile": "SELECT g, quantile_cont(x, 0.9) AS p90, quantile_cont(q / 3.0, 0.5) FILTER (WHERE k > 10) AS p50 "
    "FROM t GROUP BY g ORDER BY g",
    "ordered list": "SELECT g, list(x ORDER BY d, x) AS xs FROM t WHERE x IS NOT NULL GROUP BY g ORDER BY g",
    "date_diff boundaries": "SELECT date_diff('minute', d, ?::TIMESTAMP) AS m, date_diff('hour', d, ?::TIMESTAMP) "
    "AS h, date_diff('day', d, ?::TIMESTAMP) AS dd, date_diff('month', d, ?::TIMESTAMP) AS mm FROM t ORDER BY k, d",
    "date truncation": "SELECT date_trunc('week', d)::DATE AS w, date_trunc('month', d)::DATE AS mo, count(*) AS n "
    "FROM t GROUP BY ALL ORDER BY ALL",
    "double division and average": "SELECT g, sum(q) / count(*) AS r, avg(q) AS a, avg(CASE WHEN x > 50 THEN 1.0 "
    "ELSE 0.0 END) AS share FROM t GROUP BY g ORDER BY g",
    "hours after a timestamp": "SELECT d + to_microseconds(CAST(x * 3600e6 AS BIGINT)) AS due FROM t "
    "WHERE x IS NOT NULL ORDER BY k, d",
    "EXCLUDE and named parameters": "SELECT t.* EXCLUDE (q, d) FROM t WHERE g <> $skip AND coalesce(x, 0) >= $low "
    "ORDER BY k, x, g",
    "most frequent value, ties to the smallest": "SELECT g, list_sort(list_transform(map_entries(histogram(k % 4) "
    "FILTER (WHERE x > ?)), lambda e: struct_pack(n := -CAST(e.value AS BIGINT), k := e.key)))[1].k AS top "
    "FROM t GROUP BY g ORDER BY g",
    "first and last by, ties broken by the value": f"SELECT g, {dialect.first_by('x', 'k')} AS first_x, "
    f"{dialect.last_by('x', 'k')} AS last_x, {dialect.last_by('k', 'x')} FILTER (WHERE k > 5) AS last_k "
    "FROM t GROUP BY g ORDER BY g",
    "a sample by key": f"SELECT k, g FROM t WHERE k IS NOT NULL ORDER BY {dialect.sample_key('k')}, k, g, x LIMIT 25",
    "dates list": "WITH m AS (SELECT unnest(?::DATE[]) AS m) SELECT m, count(t.k) AS n FROM m "
    "LEFT JOIN t ON CAST(t.d AS DATE) <= m GROUP BY m ORDER BY m",
}
PARAMS = {
    "bitmap distinct count": [20.0],
    "most frequent value, ties to the smallest": [40.0],
    "date_diff boundaries": [dt.datetime(2026, 3, 1, 12, 30, 45)] * 4,
    "EXCLUDE and named parameters": {"skip": "c", "low": 10},
    "dates list": [[dt.date(2026, 1, 15), dt.date(2026, 2, 1), dt.date(2026, 2, 28)]],
}


def _table(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1)
    rows = []
    for _ in range(300):
        rows.append(
            {
                "k": rng.choice([None, *range(1, 61)]),
                "g": rng.choice("abc"),
                "x": rng.choice([None, round(rng.uniform(0, 100), 2), 50.0]),  # ties at 50
                "d": start + dt.timedelta(seconds=rng.randrange(0, 86400 * 70)),
                "q": round(rng.uniform(0, 10), 3),
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def both(spark_session):
    con = duckdb.connect()
    con.register("frame", _table(5))
    con.execute("CREATE TABLE t AS SELECT k::BIGINT AS k, g, x, d, q::DECIMAL(10, 3) AS q FROM frame")
    # the same rows and types on Spark (through Arrow: NULLs stay NULLs)
    spark_session.createDataFrame(con.sql("SELECT * FROM t").to_arrow_table()).createOrReplaceTempView("t")
    yield con, spark_session
    con.close()


@pytest.mark.parametrize("name", QUERIES)
def test_each_construct_gives_duckdbs_answer_on_spark(both, name):
    con, session = both
    sql, params = QUERIES[name], PARAMS.get(name)
    expected = con.execute(sql, params or []).df()
    got = session.sql(spark_sql.to_spark(sql, params, lambda table: list(expected.columns) + ["q", "d"])).toPandas()
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) > 0
    for col in expected.columns:
        left, right = expected[col].tolist(), got[col].tolist()
        if pd.api.types.is_float_dtype(expected[col]):
            assert right == pytest.approx(left, rel=1e-9, nan_ok=True), col
        elif pd.api.types.is_datetime64_any_dtype(expected[col]):
            assert [pd.Timestamp(v) for v in right] == [pd.Timestamp(v) for v in left], col
        else:
            assert [_plain(v) for v in right] == [_plain(v) for v in left], col


def _plain(value):
    if hasattr(value, "tolist"):
        return [float(v) for v in value.tolist()]
    if isinstance(value, list):
        return [float(v) for v in value]
    return None if pd.isna(value) else value


def _nasty(seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = ["'", '"', "\\", "?", "$", "`", ";", "--", "/*", "*/", "\n", "\t", "%", "_", "客户", "é", " ", "a", "0"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))) for _ in range(40)]


def test_bound_text_stays_text_on_spark(spark_session):
    values = _nasty(9)
    sql = "SELECT " + ", ".join(f"? AS v{i}" for i in range(len(values))) + ", $last AS tail"
    sql = sql.replace("$last", "?")
    got = spark_session.sql(spark_sql.to_spark(sql, [*values, "it's ?"])).collect()[0]
    assert list(got) == [*values, "it's ?"]


def test_dates_numbers_and_nulls_bind_with_their_types(spark_session):
    values = [dt.date(2026, 2, 28), dt.datetime(2026, 2, 28, 23, 59, 58), 3, 2.5, None, True, [1, 2]]
    sql = "SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f, ? AS g"
    row = spark_session.sql(spark_sql.to_spark(sql, values)).collect()[0]
    assert row["a"] == values[0] and row["c"] == 3 and row["d"] == 2.5 and row["e"] is None and row["f"] is True
    assert pd.Timestamp(row["b"]).to_pydatetime().replace(tzinfo=None) == values[1]
    assert list(row["g"]) == [1, 2]
