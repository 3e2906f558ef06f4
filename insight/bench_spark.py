"""`python -m insight bench --engine spark --orders N`: each page's time on DuckDB and on Spark,
on the same demo data, and whether both engines gave the same figures.

Spark's first view of a page (`spark_cold_s`) includes building the facts and derived tables it
reads; the filter change after it (`spark_warm_ms`) reuses them. The session start is timed apart. A local
Spark session pays a fixed cost per query (planning, code generation, task scheduling) that
DuckDB does not, so on a small machine Spark is the slower engine; it is there for data that
lives in a lake and outgrows one machine.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from insight.db import lake, spark
from insight.db.workspace import Workspace
from insight.demo_workspace import build_demo

#: Each page as its default link and one filter change (Spark timed cold on the first).
LINKS = {
    "overview": ("overview", "overview?region=East&cmp=yoy"),
    "channels": ("channels", "channels?segment=SMB"),
    "segments": ("segments?cmp=none", "segments?cmp=none&region=East"),
    "churn": ("churn", "churn?churn=behavioural"),
    "complaints": ("complaints", "complaints?tab=time"),
    "campaigns": ("campaigns?from=2024-01-01", "campaigns?from=2024-01-01&channel=App"),
}


def run_spark_bench(orders: int) -> dict:
    from insight.views.views import page_view

    out: dict = {"orders": orders, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="insight-bench-spark-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        duck = Workspace(path)
        out["demo"] = build_demo(duck, customers=max(1000, orders // 24), orders=orders)
        started = time.perf_counter()
        lake.export_all(duck)
        out["lake_export_s"] = round(time.perf_counter() - started, 2)
        duck.close()  # (so the copy holds every write)
        shutil.copy(path, Path(tmp) / "spark.duckdb")
        duck, on_spark = Workspace(path), Workspace(Path(tmp) / "spark.duckdb")
        if lake.root(on_spark) != lake.root(duck):  # (INSIGHT_LAKE names one lake for both)
            shutil.copytree(lake.root(duck), lake.root(on_spark))
        started = time.perf_counter()
        spark.attach(on_spark).spark.sql("SELECT 1").collect()
        out["spark_session_s"] = round(time.perf_counter() - started, 2)
        pages = {}
        for page, links in LINKS.items():
            duck_s, spark_s, diffs = [], [], 0
            for link in links:
                start = time.perf_counter()
                expected = page_view(duck, link).to_dict()
                duck_s.append(time.perf_counter() - start)
                start = time.perf_counter()
                got = page_view(on_spark, link).to_dict()
                spark_s.append(time.perf_counter() - start)
                diffs += len(differences(expected, got))
            pages[page] = {
                "duckdb_ms": round(statistics.median(duck_s) * 1000),
                "spark_cold_s": round(spark_s[0], 2),
                "spark_warm_ms": round(spark_s[1] * 1000),
                "differences": diffs,
            }
        out["pages"] = pages
        on_spark.close()
        duck.close()
    return out


def describe(out: dict) -> str:
    lines = [
        f"{out['orders']:,} orders on {out['cores']} cores; lake export {out['lake_export_s']} s; "
        f"Spark session {out['spark_session_s']} s",
        f"{'page':<11} {'DuckDB':>9} {'Spark cold':>11} {'Spark warm':>11} {'differences':>12}",
    ]
    for page, r in out["pages"].items():
        lines.append(
            f"{page:<11} {r['duckdb_ms']:>6} ms {r['spark_cold_s']:>9} s {r['spark_warm_ms']:>8} ms "
            f"{r['differences']:>12}"
        )
    return "\n".join(lines)


def differences(expected, got, path: str = "") -> list[str]:
    """Where two page views (`PageView.to_dict()`) disagree: counts and text exactly, other
    numbers within 1e-9 relative."""
    if isinstance(expected, dict) and isinstance(got, dict):
        keys = list(expected) + [k for k in got if k not in expected]
        return [d for k in keys for d in differences(expected.get(k, "<none>"), got.get(k, "<none>"), f"{path}.{k}")]
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{path}: {len(expected)} items vs {len(got)}"]
        pairs = enumerate(zip(expected, got, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(expected, float) and isinstance(got, float | int) and not isinstance(got, bool):
        if math.isnan(expected) and math.isnan(got) or math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9):
            return []
    elif expected == got:
        return []
    return [f"{path}: {expected!r} vs {got!r}"]
