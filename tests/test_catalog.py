"""The string catalog and the metric registry: complete, and every definition runs."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from insight import i18n
from insight.semantic import metrics, query
from insight.semantic.filters import DIMENSIONS, Filters
from insight.semantic.scope import Scope
from tests.conftest import ROOT


def test_every_key_has_english_and_chinese():
    for key, (en, zh) in i18n.CATALOG.items():
        assert en.strip() and zh.strip(), key
        assert sorted(re.findall(r"{(\w+)", en)) == sorted(re.findall(r"{(\w+)", zh)), key
        # i18n.t(key, lang, **values) and msg(key, **values) take these names themselves
        assert not {"key", "lang"} & set(re.findall(r"{(\w+)", en)), key
        if key.startswith(("page.", "metric.", "dim.", "app.")) and not key.startswith("app.note"):
            assert re.search(r"[\u4e00-\u9fff]", zh), f"{key} has no Chinese text"


def test_the_catalog_is_one_data_file_per_language_with_the_same_keys(tmp_path):
    """insight/catalog/{en,zh}.toml: each parses, they hold the same keys with the same
    placeholders, and a key one language lacks stops the app with its name."""
    files = {lang: tomllib.loads((i18n.CATALOG_DIR / f"{lang}.toml").read_text("utf-8")) for lang in i18n.LANGS}
    assert set(files["en"]) == set(files["zh"]) == set(i18n.CATALOG)
    for key, en in files["en"].items():
        assert sorted(re.findall(r"{(\w+)", en)) == sorted(re.findall(r"{(\w+)", files["zh"][key])), key
    (tmp_path / "en.toml").write_text('"a.b" = "A"\n"only.english" = "B"\n', "utf-8")
    (tmp_path / "zh.toml").write_text('"a.b" = "甲"\n', "utf-8")
    with pytest.raises(ValueError, match="only.english"):
        i18n.read_catalog(tmp_path)


def test_every_metric_and_dimension_has_catalog_text():
    for m in metrics.REGISTRY.values():
        assert m.label in i18n.CATALOG and m.definition in i18n.CATALOG
    for d in DIMENSIONS:
        assert d.label in i18n.CATALOG


#: The page whose default period each table's measures are read in (tickets and contacts have their own era).
PAGES = {"tickets": "complaints", "contacts": "campaigns"}


@pytest.mark.parametrize("mid", list(metrics.REGISTRY))
@pytest.mark.parametrize("churn", ["", "churn=behavioural"])
def test_every_declaration_runs_on_the_demo(demo_ws, mid, churn):
    """Dry-run the whole registry, one declaration at a time (a broken one names itself, in the
    test id and in the error): every measure computes a value on the demo's real tables."""
    m = metrics.REGISTRY[mid]
    scope = Scope.open(demo_ws, Filters.from_query(churn)[0], page=PAGES.get(metrics.source_table(mid) or ""))
    assert metrics.available(scope, mid), mid
    assert query.values(scope, [mid])[0][mid] is not None, f"{mid} did not compute"
    if m.expr is not None:  # its SQL, compiled and run alone
        sql, params = query.compile_scan(scope, query.Query((mid,)), m.table, m.period, [m], [scope.period])
        assert f"AS {mid}" in sql and len(demo_ws.query(sql, params)) >= 1


def test_a_broken_declaration_names_itself(demo_ws, monkeypatch):
    broken = metrics.Metric("broken_revenue", "orders", lambda c, t, s: "sum(t.no_such_column)")
    monkeypatch.setitem(metrics.REGISTRY, "broken_revenue", broken)
    with pytest.raises(Exception) as caught:
        query.values(Scope.open(demo_ws, Filters()), ["revenue", "broken_revenue"])
    assert "broken_revenue" in " ".join(getattr(caught.value, "__notes__", []))


def test_pages_hold_no_literal_ui_text():
    """Pages pass catalog text to Streamlit; a string literal as a widget label is a miss."""
    calls = {
        "title",
        "header",
        "subheader",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "button",
        "metric",
        "selectbox",
        "multiselect",
        "radio",
        "text_input",
        "file_uploader",
        "download_button",
        "markdown",
    }
    for path in (ROOT / "app_pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in calls and node.args:
                first = node.args[0]
                assert not (isinstance(first, ast.Constant) and isinstance(first.value, str)), (
                    f"{Path(path).name}:{node.lineno} hard-codes {first.value!r}"
                )


def test_every_message_of_the_core_fills_exactly_its_placeholders():
    """`msg("key", a=…)` in the core: the key exists and the values are the template's placeholders
    (a missing one would show as "{sheets}", an extra one is a typo)."""
    checked = 0
    for path in (ROOT / "insight").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            func = node.func if isinstance(node, ast.Call) else None
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name != "msg" or not node.args or any(k.arg is None for k in node.keywords):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant):
                keys = [first.value]
            elif isinstance(first, ast.JoinedStr):  # f"note.already_there.{verb}": every key it can be
                prefix = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
                keys = [k for k in i18n.CATALOG if k.startswith(prefix)]
                assert keys, f"{path.name}:{node.lineno}: no key starts with {prefix!r}"
            else:
                continue
            given = sorted(k.arg for k in node.keywords)
            for key in keys:
                assert key in i18n.CATALOG, f"{path.name}:{node.lineno}: {key!r} is not in the catalog"
                wanted = sorted(set(re.findall(r"{(\w+)", i18n.CATALOG[key][0])))
                assert given == wanted, f"{path.name}:{node.lineno}: {key} takes {wanted}, given {given}"
                checked += 1
    assert checked > 100
