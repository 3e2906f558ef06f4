"""The generated corpus of bad and odd files through the real CLI (`python -m insight import`).

Refused files: exit 2, one line naming the file, the problem and what to do, and the workspace
exactly as it was. Accepted files: exit 0, JSON without NaN/Infinity and with integer counts,
what loaded checked against pandas, and every page still computes on the result.
"""

from __future__ import annotations

import json
import shutil

import pytest

from insight import cli, settings
from insight.db.workspace import _OPEN, open_workspace
from insight.views.views import PAGES, page_view
from tests.corpus import no_constants, one_line
from tests.corpus_accepted import ACCEPTED
from tests.corpus_refused import REFUSED

CASES = REFUSED + ACCEPTED


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A small demo workspace: every table present, so refusals can be seen to change nothing."""
    from insight.demo_workspace import build_demo

    path = tmp_path_factory.mktemp("corpus") / "base.duckdb"
    ws = open_workspace(path)
    build_demo(ws, customers=300, orders=3000, seed=3)
    _close(path)
    return path


def _close(path) -> None:
    ws = _OPEN.pop(path.resolve(), None)
    if ws is not None:
        ws.close()


def state(ws) -> dict:
    """Every table's version, row count and content fingerprint."""
    out = {"history": ws.history()[["version", "table", "op", "rows"]].to_dict("records")}
    for table in ws.snapshot().tables:
        cols = ", ".join(f'"{c}"' for c in ws.columns(table))
        out[table] = ws.query(f"SELECT count(*) AS n, sum(hash({cols})) AS h FROM {table}").to_dict("records")
    return out


def test_the_corpus_is_large_and_covers_both_outcomes():
    assert len(CASES) >= 60
    assert sum(c.ok for c in CASES) >= 25 and sum(not c.ok for c in CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file(case, baseline, tmp_path, monkeypatch, capsys):
    ws_path = tmp_path / "ws.duckdb"
    shutil.copy(baseline, ws_path)
    for name, value in case.settings.items():
        monkeypatch.setattr(settings, name, value)
    files = tmp_path / "files"
    files.mkdir()
    path, expected = case.make(files)
    ws = open_workspace(ws_path)
    try:
        before = state(ws)
        code = cli.main(["--workspace", str(ws_path), "import", str(path), "--as", case.table, "--json", *case.args])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        if not case.ok:
            assert code == 2, (out, err)
            line = one_line(err)
            assert out == ""
            assert " — " in line, f"no fix in: {line}"  # the hint: what to do
            if case.names_file:
                assert line.startswith(f"error: {path.name}:"), line
            for words in case.says:
                assert words in line, f"{words!r} not in: {line}"
            assert state(ws) == before  # nothing changed
            detail = json.loads(err.splitlines()[-1], parse_constant=no_constants)
            assert detail["error"] and (detail["hint"] or "") in line
        else:
            assert code == 0, err
            report = json.loads(out, parse_constant=no_constants)
            for key in ("rows_read", "rows_loaded", "rows_rejected", "duplicate_rows", "version"):
                assert type(report[key]) is int, key
            text = json.dumps(report, ensure_ascii=False)
            for words in case.says:
                assert words in text, f"{words!r} not in the report"
            case.check(ws, report, expected)
            assert report["version"] == before["history"][0]["version"] + 1
            for page in PAGES:  # every page still computes on what loaded
                page_view(ws, page)
    finally:
        _close(ws_path)
        if expected.get("keep"):
            expected["keep"].close()
