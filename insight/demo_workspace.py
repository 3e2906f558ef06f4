"""Put the demo data into a workspace: on request (`python -m insight demo`) or on first start."""

from __future__ import annotations

import time

from insight import demo, settings
from insight.db.workspace import Workspace

DEMO_SOURCE = "demo"


def build_demo(
    ws: Workspace,
    *,
    customers: int = settings.DEMO_CUSTOMERS,
    orders: int = settings.DEMO_ORDERS,
    seed: int = settings.DEMO_SEED,
) -> dict:
    """Replace every table with freshly generated demo data; returns the row counts."""
    started = time.perf_counter()
    frames = demo.generate(customers=customers, orders=orders, seed=seed)
    version = ws.publish_frames(frames, source_file=f"{DEMO_SOURCE} (seed {seed})")  # facts included
    return {
        "version": version,
        "tables": {name: len(frame) for name, frame in frames.items()},
        "seconds": round(time.perf_counter() - started, 2),
    }


def ensure_demo(ws: Workspace) -> bool:
    """Create the demo workspace when the workspace has never had any data. True if it did."""
    if ws.version() > 0:
        return False
    with ws._write_lock:
        if ws.version() > 0:
            return False
        build_demo(ws)
    return True
