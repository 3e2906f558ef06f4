"""The benchmark's peers (insight/bench_peers.py) compute the figures the product's page views
hold, on the benchmark's filter changes: pandas and Polars are an independent computation of the
Overview and Channel mix, so each agreeing with the product checks both sides."""

from __future__ import annotations

import dataclasses

import pytest

from insight import bench_peers
from insight.bench import FILTER_CHANGES
from insight.views.views import page_view

#: Links beyond the benchmark's: no comparison, a day's hours, a filter no row matches.
MORE = ("cmp=none&region=East", "from=2026-06-03&to=2026-06-03", "region=Nowhere")


@pytest.fixture(scope="module")
def loaded(demo_file, tmp_path_factory):
    import shutil

    from insight.db.workspace import Workspace

    path = tmp_path_factory.mktemp("peers") / "demo.duckdb"
    shutil.copy(demo_file, path)
    ws = Workspace(path)
    yield ws, bench_peers.load(ws)
    ws.close()


@pytest.mark.parametrize("page", sorted(bench_peers.PEERS))
def test_peers_compute_the_figures_the_page_shows(loaded, page):
    ws, data = loaded
    checked = 0
    for query in (*FILTER_CHANGES, *MORE):
        inp = bench_peers.inputs(ws, page, query)
        view = page_view(ws, f"{page}?{query}", everything=False)
        for peer, compute in bench_peers.PEERS[page].items():
            assert bench_peers.differences(page, view, compute(data[peer], inp)) == [], (peer, query)
            checked += 1
    assert checked == 2 * (len(FILTER_CHANGES) + len(MORE))


def test_a_wrong_figure_is_a_difference(loaded):
    """The check can fail: a peer off by one order, one overdue ticket or one bucket is reported."""
    ws, data = loaded
    inp = bench_peers.inputs(ws, "overview", "")
    view = page_view(ws, "overview?", everything=False)
    figures = bench_peers.PEERS["overview"]["polars"](data["polars"], inp)
    assert bench_peers.differences("overview", view, figures) == []
    off = dict(
        figures, cards=[{**figures["cards"][0], "orders": figures["cards"][0]["orders"] + 1}, figures["cards"][1]]
    )
    assert any(d.startswith("orders:") for d in bench_peers.differences("overview", view, off))
    count, oldest, ids = figures["overdue"]
    assert count > 0, "the demo has an overdue backlog to check"
    late = dict(figures, overdue=(count, oldest, ids[1:]))
    assert any(d.startswith("overdue") for d in bench_peers.differences("overview", view, late))
    series = dataclasses.replace(view, series=view.series.iloc[1:])
    assert any(d.startswith("series") for d in bench_peers.differences("overview", series, figures))
