"""`python -m insight bench`: the budgets the issues state, measured on this machine.

Benchmarks live here, not in tests: the machines are shared and noisy, so a timing is a figure
to report, never an assertion.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from insight import demo, settings
from insight.importer import import_file
from insight.views import page_view
from insight.workspace import Workspace

VIEW_LINKS = (
    "overview",
    "overview?cmp=yoy",
    "overview?region=East&channel=App",
    "overview?from=2026-01-01&to=2026-03-31&segment=SMB",
    "overview?tier=gold&category=Electronics",
)


def _timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_bench(orders: int = 1_000_000) -> dict:
    customers = max(1000, orders // 24)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="insight-bench-") as tmp:
        tmp = Path(tmp)
        gen = _timed(lambda: results.setdefault("_frames", demo.generate(customers=customers, orders=orders)))[0]
        frames = results.pop("_frames")
        results["demo_generate"] = {"orders": orders, "seconds": round(gen, 2)}

        csv = tmp / "orders.csv"
        frames["orders"].to_csv(csv, index=False)
        size_mb = csv.stat().st_size / 1e6

        ws = Workspace(tmp / "bench.duckdb")
        imported = _timed(lambda: import_file(ws, csv, "orders"))[0]
        con = duckdb.connect()
        raw = _timed(lambda: con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?)", [str(csv)]))[0]
        con.close()
        results["import_csv"] = {
            "rows": orders,
            "file_mb": round(size_mb, 1),
            "seconds": round(imported, 2),
            "rows_per_s": round(orders / imported),
            "duckdb_read_csv_seconds": round(raw, 2),
            "duckdb_read_csv_rows_per_s": round(orders / raw),
        }

        ws.publish_frames(frames, source_file="bench")
        page_view(ws, "overview")  # warm the file cache once
        samples = []
        for link in VIEW_LINKS:
            samples += _timed(lambda link=link: page_view(ws, link), repeat=4)
        results["overview_view"] = {
            "orders": orders,
            "runs": len(samples),
            "p50_ms": round(statistics.median(samples) * 1000),
            "p95_ms": round(_p95(samples) * 1000),
        }
        ws.close()
    results["machine"] = {"cores": _cores(), "row_cap": settings.ROW_CAP}
    return results


def _cores() -> int:
    import os

    return os.cpu_count() or 0
