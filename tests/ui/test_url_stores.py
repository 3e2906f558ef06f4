"""The URL stores (insight/ui/urlstate.py) in the app: every store of a run in one hidden container
at the top of the sidebar (the page's own too), each holding its URL parameter's raw value, the
global ones following a page switch; the view's state parsed from them. Generated links: options
of the entrypoint and of the pages, valid and not, against the link's own parameters."""

from __future__ import annotations

import random

import pytest

from insight.semantic.filters import DEFAULT_CMP
from tests.apptest_support import app

#: Coded options a link may carry, with values a user could type: (name, valid, invalid). The
#: valid values are none of the defaults, so each is kept in the view's state.
GLOBAL = {
    "cmp": (("yoy", "none"), ("weekly", "YOY")),
    "churn": (("explicit", "behavioural"), ("flag", "maybe")),
    "days": (("45", "90", "120"), ("0", "abc", "9999")),
}
PAGE = {
    "overview": {"mv": (("complaints",), ("orders", "profit")), "by": (("channel", "segment"), ("colour",))},
    "channels": {"measure": (("orders", "customers"), ("weight",)), "share": (("true",), ("maybe",))},
    "churn": {"tab": (("attribute", "cohorts"), ("nope",)), "ret": (("revenue",), ("gold",))},
    "complaints": {"tab": (("time", "satisfaction"), ("nope",))},
    "campaigns": {"win": (("7", "60"), ("0", "²")), "attr": (("tier", "region"), ("shoe",))},
}
#: The entrypoint's stores, in the order the filter bar draws them (lang first, by the language
#: switch); the coded filters' stores follow (the demo has both).
SHELL_STORES = ["lang", "ds", "cmp", "tiers", "margin", "churn", "days", "sla", "rfm", "tier"]
#: Each page's own stores, in declaration order.
PAGE_STORES = {
    "overview": ["mv", "by"],
    "channels": ["measure", "share", "more"],
    "churn": ["tab", "attr", "split", "ret"],
    "complaints": ["tab", "sub", "k"],
    "campaigns": ["win", "attr"],
}


def _links(n: int = 5) -> list[tuple[str, str, dict[str, str], set[str]]]:
    """`n` generated (page, next page, query, the query's valid keys): some options of the
    entrypoint and of the page, each valid or not, and a filter."""
    rng = random.Random(19)
    links = []
    for _ in range(n):
        page, then = rng.sample(list(PAGE), 2)
        options = {**GLOBAL, **PAGE[page]}
        query, valid = {}, set()
        for name in rng.sample(list(options), rng.randint(1, len(options))):
            good, bad = options[name]
            if rng.random() < 0.7:
                query[name] = rng.choice(good)
                valid.add(name)
            else:
                query[name] = rng.choice(bad)
        query["region"] = rng.choice(["East", "North"])
        links.append((page, then, query, valid))
    return links


def _stores(at) -> list:
    """The widgets of the sidebar's first block: the hidden container of the stores."""
    box = at.sidebar.children[0]
    assert box.type == "flex_container" and box.proto.id.endswith("urlstate_stores")
    return list(box.children.values())


@pytest.mark.parametrize(("page", "then", "query", "valid"), _links())
def test_a_link_fills_one_hidden_block_of_stores_that_follow_a_page_switch(
    demo_ws, monkeypatch, page, then, query, valid
):
    at = app(demo_ws, monkeypatch, query=query, link=page)
    stores = _stores(at)
    assert [w.key for w in stores] == SHELL_STORES + PAGE_STORES[page]
    # each holds its parameter's raw value, valid or not (the parse notes the invalid ones)
    for w in stores:
        expected = [] if w.type == "multiselect" else query.get(w.key, "")
        assert w.value == expected, (w.key, query)
    # the view's state keeps exactly the valid values (the link's `days=45` is `days=45` in it)
    state = at.session_state["_ctx"].filters
    kept = dict(state.extra)
    assert set(kept) == valid - {"cmp"}, (kept, query)
    assert all(kept[name] == query[name] for name in kept)
    assert state.cmp == (query["cmp"] if "cmp" in valid else DEFAULT_CMP)
    assert state.values("region") == (query["region"],)
    assert not [w for w in at.main.text_input if w.key in {*SHELL_STORES, *PAGE_STORES[page]}]  # none elsewhere

    at.switch_page(f"app_pages/{then}.py")
    at.run()
    assert not at.exception
    stores = {w.key: w.value for w in _stores(at)}
    assert list(stores) == SHELL_STORES + PAGE_STORES[then]
    for name in ("cmp", "churn", "days"):  # the entrypoint's follow the switch
        assert stores[name] == query.get(name, ""), (name, query)
    kept = dict(at.session_state["_ctx"].filters.extra)
    assert set(kept) == valid & {"churn", "days"}, (kept, query)  # the first page's own are gone
