"""`python -m insight bench`: the budgets the issues state, measured on this machine.

Benchmarks live here, not in tests: the machines are shared and noisy, so a timing is a figure
to report, never an assertion. Page timings run in a child process so that its peak RSS is the
serving cost alone, not the cost of generating the demo data.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from insight import demo
from insight.db.workspace import Workspace
from insight.ingest.importer import import_file

#: 20 filter changes an analyst might make in a row (issue 4's benchmark).
FILTER_CHANGES = (
    "",
    "cmp=yoy",
    "region=East",
    "region=East&segment=SMB",
    "region=East&segment=SMB&channel=App",
    "channel=Store",
    "channel=Store&channel=App",
    "segment=Enterprise",
    "segment=Enterprise&cmp=none",
    "from=2026-01-01&to=2026-03-31",
    "from=2026-01-01&to=2026-03-31&region=North",
    "from=2026-06-01&to=2026-06-30",
    "from=2026-06-01&to=2026-06-30&channel=WeChat",
    "region=South&region=West",
    "category=Electronics",
    "segment=Consumer&channel=Online",
    "from=2025-11-01&to=2026-10-31&cmp=yoy",
    "region=Central&cmp=yoy",
    "channel=Hotline&segment=Government",
    "from=2026-09-01&to=2026-10-31&region=East&region=North",
)
PAGES = ("overview", "channels", "churn", "complaints")
#: The churn page is timed under both definitions: its own flag, and behavioural (no order for N
#: days), which reads every order to build spells. Its model is timed apart (`bench_model`).
CHURN_VARIANTS = ("", "churn=behavioural&", "churn=behavioural&days=60&tab=attribute&attr=contract&")
#: The complaints page is timed on each of its sections but free text (timed apart: `bench_text`).
COMPLAINT_VARIANTS = ("", "tab=time&", "tab=satisfaction&", "tab=customers&")
VARIANTS = {"churn": CHURN_VARIANTS, "complaints": COMPLAINT_VARIANTS}


def _child(*args: str) -> dict:
    """`python -m insight.bench ARGS` in a child process (its peak RSS is its own), as JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "insight.bench", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    return json.loads(out.stdout)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_bench(
    orders: int = 1_000_000,
    import_rows: int = 1_000_000,
    only: str | None = None,
    sessions: int | None = None,
    views: int = 5,
) -> dict:
    """Every benchmark; with `sessions`, the load of that many concurrent sessions on a real
    server instead (insight/bench_load.py)."""
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="insight-bench-") as tmp:
        tmp = Path(tmp)
        if not sessions and only not in ("peers", "paint"):
            results["import_csv"] = bench_import(tmp, import_rows)
            if only == "import":
                return results
        path = tmp / "pages.duckdb"
        results |= _pages_workspace(path, orders)
        if sessions or only == "append":
            batch = _nightly(tmp, orders)
            if only == "append":
                results["append"] = bench_append(path, batch)
                return results
            from insight.bench_load import bench_load

            results["load"] = bench_load(path, sessions, views, FILTER_CHANGES, batch)
            results["machine"] = {"cores": os.cpu_count()}
            return results
        if only in ("peers", "paint"):
            results[only] = _child(str(path), "peers") if only == "peers" else _paint(path)
            return results
        results["append"] = bench_append(path, _nightly(tmp, orders))
        results["pages"] = _child(str(path))
        results["peers"] = _child(str(path), "peers")
        results["paint"] = _paint(path)
        results["segments"] = bench_segments_workspace(tmp, orders)
        results["churn_model"] = bench_model_workspace(tmp, orders)
        results["text_classifier"] = _child(str(path), "text")
        results["campaigns"] = _child(str(path), "campaigns")  # last: it scales the contacts up
    results["machine"] = {"cores": os.cpu_count()}
    return results


def _paint(path: Path) -> dict:
    """First paint in Chromium (insight/bench_paint.py), on a copy: the server writes to it."""
    import shutil

    from insight.bench_paint import bench_paint

    copy = path.with_name("paint.duckdb")
    shutil.copy(path, copy)
    return bench_paint(copy)


def _pages_workspace(path: Path, orders: int) -> dict:
    """The demo at `orders` orders (one customer per 24) in a new workspace, with its timings."""
    customers = max(1000, orders // 24)
    started = time.perf_counter()
    frames = demo.generate(customers=customers, orders=orders)
    out = {"demo_generate": {"orders": orders, "seconds": round(time.perf_counter() - started, 2)}}
    ws = Workspace(path)
    started = time.perf_counter()
    ws.publish_frames(frames, source_file="bench")
    out["publish_with_facts"] = {"orders": orders, "seconds": round(time.perf_counter() - started, 2)}
    ws.close()
    return out


#: Periods the segments bench computes RFM and tiers for (each a cold build of the segment table).
SEGMENT_LINKS = (
    "segments?cmp=none",
    "segments?cmp=none&from=2026-01-01&to=2026-06-30",
    "segments?cmp=none&from=2025-07-01&to=2026-06-30",
    "segments?cmp=none&from=2026-04-01&to=2026-09-30",
    "segments?cmp=none&region=East&tier=diamond",
)


def bench_segments_workspace(tmp: Path, orders: int) -> dict:
    """RFM, tiers and clusters on a customer-heavy workspace: one customer per 10 orders
    (1M customers at 10M orders), in a child process like the pages."""
    started = time.perf_counter()
    frames = demo.generate(customers=max(1000, orders // 10), orders=orders)
    path = tmp / "segments.duckdb"
    ws = Workspace(path)
    ws.publish_frames(frames, source_file="bench")  # facts included
    del frames
    ws.close()
    setup = round(time.perf_counter() - started, 1)
    return {"orders": orders, "setup_seconds": setup, **_child(str(path), "segments")}


MODEL_CUSTOMERS = 100_000  # the budget: a model on 100k customers


def bench_model_workspace(tmp: Path, orders: int) -> dict:
    """The churn model on 100k customers with 10 orders each (the segments workspace when that
    is its size), in a child process."""
    path = tmp / "segments.duckdb"
    if orders != MODEL_CUSTOMERS * 10:
        path = tmp / "model.duckdb"
        ws = Workspace(path)
        ws.publish_frames(demo.generate(customers=MODEL_CUSTOMERS, orders=MODEL_CUSTOMERS * 10), source_file="bench")
        ws.close()
    return _child(str(path), "model")


def bench_segments(path: str) -> dict:
    """RFM + tiers (a cold segment table per period), the whole Segments page, and k-means."""
    from insight.domain import segments
    from insight.ml import clusters
    from insight.semantic.filters import Filters
    from insight.semantic.scope import Scope
    from insight.views.views import page_view

    ws = Workspace(path)
    page_view(ws, "overview?cmp=none")  # open the file and warm DuckDB's buffers once
    scope = Scope.open(ws, Filters())
    rfm = _seconds(lambda: segments.with_segments(scope))
    scope = segments.with_segments(scope)
    customers = int(scope.scalar(f"SELECT count(*) FROM {scope.table(segments.SEGMENTS)} WHERE active"))
    pages = [_seconds(lambda link=link: page_view(ws, link)) for link in SEGMENT_LINKS]
    kmeans = _seconds(lambda: clusters.run(scope))
    found = clusters.run(scope)
    return {
        "active_customers": customers,
        "rfm_tiers_seconds": round(rfm, 2),
        "page_p50_ms": round(statistics.median(pages) * 1000),
        "page_max_ms": round(max(pages) * 1000),
        "kmeans_seconds": round(kmeans, 2),
        "kmeans_k": found.k if found else None,
        "peak_rss_mb": _peak_rss_mb(),
    }


def bench_model(path: str) -> dict:
    """The churn-risk model, trained cold (features, fit, held-out evaluation, permutation
    importance and scoring every customer), under each definition."""
    from insight.domain import churn
    from insight.ml import churn_model
    from insight.semantic.filters import Filters
    from insight.semantic.scope import Scope

    ws = Workspace(path)
    out = {"customers": int(ws.scalar(f"SELECT count(*) FROM {ws.snapshot()['customers']}"))}
    for kind in ("explicit", "behavioural"):
        scope = Scope.open(ws, Filters.from_query(f"churn={kind}")[0])
        d, _ = churn.definition(scope)
        seconds = _seconds(lambda scope=scope, d=d: churn_model.train(scope, d))
        model = churn_model.train(scope, d)
        out[kind] = {
            "seconds": round(seconds, 1),
            "train_rows": model.metrics["train_rows"],
            "test_rows": model.metrics["test_rows"],
            "scored": len(model.scores),
            "roc_auc": round(model.metrics["roc_auc"], 3),
            "baseline_roc_auc": 0.5,
            "rule_roc_auc": round(model.metrics["rule_roc_auc"], 3),
        }
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


#: Import benchmark runs: the machine is shared, so the median of several runs is reported with
#: the spread, and DuckDB's raw read is timed in each run next to ours.
IMPORT_RUNS = 5
STAGES = ("reading", "checking types", "checking duplicates", "publishing", "building facts", "done")


def bench_import(tmp: Path, rows: int, runs: int = IMPORT_RUNS) -> dict:
    """Our import of a demo orders CSV (reading, typing and rejects, duplicates, the versioned
    publish and the facts the pages read) against DuckDB's own read_csv of the same file into
    memory with no validation. Wall time is what a user waits on an idle machine; CPU time (every
    thread of the process) is the work, which other jobs on a shared machine inflate far less."""
    frames = demo.generate(customers=max(1000, rows // 24), orders=rows)
    csv = tmp / "orders.csv"
    frames["orders"].to_csv(csv, index=False)
    del frames
    ours, raw, cpu, raw_cpu = [], [], [], []
    stages, stages_cpu = {s: [] for s in STAGES[:-1]}, {s: [] for s in STAGES[:-1]}
    for i in range(runs):
        ws = Workspace(tmp / f"import{i}.duckdb")
        marks: list[tuple[str, float, float]] = []
        start, start_cpu = time.perf_counter(), time.process_time()

        def mark(fraction, step, m=marks, t0=start, c0=start_cpu):
            m.append((step, time.perf_counter() - t0, time.process_time() - c0))

        import_file(ws, csv, "orders", progress=mark)
        ours.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        ws.close()
        (tmp / f"import{i}.duckdb").unlink()
        for (step, at, at_cpu), (_, until, until_cpu) in zip(marks, marks[1:], strict=False):
            stages[step].append(until - at)
            stages_cpu[step].append(until_cpu - at_cpu)
        con = duckdb.connect()
        raw_start = time.process_time()
        raw.append(_seconds(lambda con=con: con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv)])))
        raw_cpu.append(time.process_time() - raw_start)
        con.close()
    median, raw_median = statistics.median(ours), statistics.median(raw)
    return {
        "rows": rows,
        "file_mb": round(csv.stat().st_size / 1e6, 1),
        "runs": runs,
        "seconds": round(median, 2),
        "seconds_min": round(min(ours), 2),
        "seconds_max": round(max(ours), 2),
        "rows_per_s": round(rows / median),
        "duckdb_read_csv_seconds": round(raw_median, 2),
        "duckdb_read_csv_seconds_min": round(min(raw), 2),
        "duckdb_read_csv_seconds_max": round(max(raw), 2),
        "ratio_to_read_csv": round(median / raw_median, 1),
        "share_of_read_csv_speed": round(raw_median / median, 2),
        "stages_seconds": {k: round(statistics.median(v), 2) for k, v in stages.items() if v},
        "cpu_seconds": round(statistics.median(cpu), 2),
        "duckdb_read_csv_cpu_seconds": round(statistics.median(raw_cpu), 2),
        "ratio_to_read_csv_cpu": round(statistics.median(cpu) / statistics.median(raw_cpu), 1),
        "stages_cpu_seconds": {k: round(statistics.median(v), 2) for k, v in stages_cpu.items() if v},
        "load_average": round(os.getloadavg()[0], 1),
    }


def _nightly(tmp: Path, orders: int) -> Path:
    """10,000 new orders of the pages workspace's customers (new order ids, times across its whole
    history): the cron import the load bench hands to its server."""
    batch = tmp / "nightly_orders.csv"
    frame = demo.generate(customers=max(1000, orders // 24), orders=10_000, seed=99)["orders"]
    frame.assign(order_id="N" + frame["order_id"]).to_csv(batch, index=False)
    return batch


def bench_append(path: Path, batch: Path, runs: int = IMPORT_RUNS) -> dict:
    """The append of `batch` to a copy of the pages workspace (a new version and its facts), each
    run on a fresh copy: wall time, and CPU time of every thread (what it takes from a server)."""
    import shutil

    wall, cpu = [], []
    for i in range(runs):
        copy = path.with_name(f"append{i}.duckdb")
        shutil.copy(path, copy)
        ws = Workspace(copy)
        start, start_cpu = time.perf_counter(), time.process_time()
        rows = import_file(ws, batch, "orders", mode="append").rows_loaded
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        ws.close()
        copy.unlink()
    return {
        "rows": rows,
        "runs": runs,
        "seconds": round(statistics.median(wall), 2),
        "seconds_max": round(max(wall), 2),
        "cpu_seconds": round(statistics.median(cpu), 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def describe_import(out: dict) -> str:
    """The import benchmark for a person."""
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in out["stages_seconds"].items())
    stages_cpu = ", ".join(f"{k} {v:.2f} s" for k, v in out["stages_cpu_seconds"].items())
    return (
        f"import of a {out['rows']:,}-row orders CSV ({out['file_mb']} MB), median of {out['runs']} runs: "
        f"{out['seconds']:.2f} s (min {out['seconds_min']:.2f}, max {out['seconds_max']:.2f}), "
        f"{out['rows_per_s']:,} rows/s — facts included\n"
        f"DuckDB read_csv of the same file, no validation: {out['duckdb_read_csv_seconds']:.2f} s "
        f"(min {out['duckdb_read_csv_seconds_min']:.2f}, max {out['duckdb_read_csv_seconds_max']:.2f}); "
        f"ours takes {out['ratio_to_read_csv']}x as long ({out['share_of_read_csv_speed']:.0%} of its speed)\n"
        f"stages (median): {stages}; load average {out['load_average']} on {os.cpu_count()} cores\n"
        f"CPU time (all threads; load inflates it far less than wall time): {out['cpu_seconds']:.2f} s against "
        f"{out['duckdb_read_csv_cpu_seconds']:.2f} s for read_csv ({out['ratio_to_read_csv_cpu']}x); "
        f"stages {stages_cpu}"
    )


def bench_pages(path: str) -> dict:
    """Server-side time to compute what each page shows (the app's `everything=False`: the open tab,
    closed sections left out), for each filter change (cold cache)."""
    from insight.domain import spells
    from insight.views.views import page_view

    ws = Workspace(path)
    # Open the file and warm DuckDB's buffers once; as the server's warm-up does, this builds the
    # tables a version's pages read (insight/semantic/activity.py, rollups.py).
    warm, warm_cpu = time.perf_counter(), time.process_time()
    page_view(ws, "overview")
    spells.warm(ws)  # the behavioural churn's customer days, read at warm-up as the server does
    out: dict = {"warmup_ms": round((time.perf_counter() - warm) * 1000)}
    out["warmup_cpu_ms"] = round((time.process_time() - warm_cpu) * 1000)
    for page in PAGES:
        variants = VARIANTS.get(page, ("",))
        links = [f"{page}?{v}{q}" for q in FILTER_CHANGES for v in variants]
        samples, cpu = [], []
        for link in links:  # wall time, and CPU time of every thread (a shared machine inflates it less)
            started = time.process_time()
            samples.append(_seconds(lambda link=link: page_view(ws, link, everything=False)))
            cpu.append(time.process_time() - started)
        out[page] = {
            "runs": len(samples),
            "p50_ms": round(statistics.median(samples) * 1000),
            "p95_ms": round(_p95(samples) * 1000),
            "max_ms": round(max(samples) * 1000),
            "cpu_p50_ms": round(statistics.median(cpu) * 1000),
            "cpu_p95_ms": round(_p95(cpu) * 1000),
        }
    out["tickets"] = int(ws.scalar(f"SELECT count(*) FROM {ws.snapshot()['tickets']}"))
    out["peak_rss_mb"] = _peak_rss_mb()
    out["load_average"] = round(os.getloadavg()[0], 1)
    return out


CONTACTS = 1_000_000  # the budget: the campaigns page with 1M contacts (and 10M orders)
CAMPAIGN_LINK = "campaigns?from=2024-01-01&"


def bench_campaigns(path: str) -> dict:
    """The Campaigns page over at least 1M contacts: the workspace's contacts, copied under new
    campaign ids until there are enough, for each filter change (cold)."""
    import pandas as pd

    from insight.views.views import page_view

    ws = Workspace(path)
    contacts = ws.query(f"SELECT * FROM {ws.snapshot()['contacts']}", cap=10_000_000)
    if len(contacts) < CONTACTS:
        copies = -(-CONTACTS // len(contacts))
        contacts = pd.concat(
            [contacts.assign(campaign_id=contacts["campaign_id"] + (f"-{i}" if i else "")) for i in range(copies)],
            ignore_index=True,
        )
        ws.publish_frames({"contacts": contacts}, "bench: contacts scaled up")
    page_view(ws, CAMPAIGN_LINK)  # warm DuckDB's buffers once
    samples = [_seconds(lambda q=q: page_view(ws, f"{CAMPAIGN_LINK}{q}")) for q in FILTER_CHANGES]
    return {
        "contacts": len(contacts),
        "orders": int(ws.scalar(f"SELECT count(*) FROM {ws.snapshot()['orders']}")),
        "runs": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000),
        "p95_ms": round(_p95(samples) * 1000),
        "max_ms": round(max(samples) * 1000),
        "peak_rss_mb": _peak_rss_mb(),
    }


TEXTS = 100_000  # the budget: classifier training on 100k texts


def bench_text(path: str) -> dict:
    """The free-text classifier trained on 100k labelled ticket texts (fit on 80 %, held-out
    scores, refit on all)."""
    import pandas as pd

    from insight.ml import textsort

    ws = Workspace(path)
    frame = ws.query(
        f"SELECT text, category FROM {ws.snapshot()['tickets']} WHERE text IS NOT NULL AND category IS NOT NULL "
        f"USING SAMPLE {TEXTS} ROWS (reservoir, 7)",
        cap=TEXTS,
    )
    started = time.perf_counter()
    _, scores = textsort.train_classifier(pd.Series(frame["text"]), pd.Series(frame["category"]))
    return {
        "texts": len(frame),
        "seconds": round(time.perf_counter() - started, 1),
        **scores,
        "peak_rss_mb": _peak_rss_mb(),
    }


def bench_peers(path: str) -> dict:
    """The Overview and Channel mix figures by the product and by pandas and Polars peers
    (insight/bench_peers.py), interleaved over the 20 filter changes."""
    from insight.bench_peers import bench_peers as run

    return {**run(path, FILTER_CHANGES), "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> int:
    """This process's own peak RSS. (`ru_maxrss` would count the parent's memory at fork time.)"""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


if __name__ == "__main__":
    run = {
        "segments": bench_segments,
        "model": bench_model,
        "text": bench_text,
        "campaigns": bench_campaigns,
        "peers": bench_peers,
    }.get(sys.argv[2] if sys.argv[2:] else "", bench_pages)
    print(json.dumps(run(sys.argv[1])))
