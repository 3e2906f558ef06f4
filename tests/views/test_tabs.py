"""What a page shows on every tab (its cards, the tables above the tabs, a section's figures on the
tabs that show it; Channel mix's figures above the fold, with its journeys open or closed) is
computed once per state and reused: the same figures a tab computed on its own would show, each
view with cards of its own, and another state computed anew."""

from __future__ import annotations

import pandas as pd
import pytest

from insight import cache
from insight.views.options import CHURN_TABS, COMPLAINT_TABS, SEGMENT_TABS
from insight.views.pages import channels, churn, complaints, segments
from insight.views.views import page_view
from tests.apptest_support import clean_caches  # noqa: F401 (autouse)

#: Each page's sections as link parameters: the tabs (Churn's risk tab trains a model: its cards
#: are the same code path), Channel mix's journeys closed and open; and the functions whose
#: figures its sections share (the first: every section's).
PAGES = {
    "segments": (tuple(f"tab={t}" for t in SEGMENT_TABS), (segments._common, segments._tier_table)),  # (tiers, CLV)
    "churn": (tuple(f"tab={t}" for t in CHURN_TABS if t != "risk"), (churn._cards,)),
    "complaints": (tuple(f"tab={t}" for t in COMPLAINT_TABS), (complaints._common,)),
    "channels": (("more=false", "more=true"), (channels._above_fold,)),
}

pytestmark = pytest.mark.xdist_group("shape-demo")


def cards(view) -> dict:
    return {mid: kpi.to_dict() for mid, kpi in view.kpis.items()}


def ordered(table: pd.DataFrame) -> pd.DataFrame:
    keys = table.apply(lambda row: "|".join(map(str, row)), axis=1) if len(table) else pd.Series([], dtype=str)
    return table.iloc[keys.argsort(kind="stable")].reset_index(drop=True)


def assert_same_cards(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for mid, card in got.items():
        for field, value in card.items():
            expected = want[mid][field]
            if isinstance(value, float) and isinstance(expected, float):
                assert value == pytest.approx(expected, rel=1e-9), (mid, field)
            else:
                assert value == expected, (mid, field)


@pytest.mark.parametrize("query", ["", "&region=West&cmp=yoy"])
@pytest.mark.parametrize("page", PAGES)
def test_every_tab_reuses_the_figures_computed_once(shape_ws, page, query):
    ws = shape_ws("demo")
    tabs, shared = PAGES[page]
    alone = {}
    for tab in tabs:  # each tab opened first, on its own
        cache.clear()
        alone[tab] = page_view(ws, f"{page}?{tab}{query}", everything=False)
    cache.clear()
    together = {tab: page_view(ws, f"{page}?{tab}{query}", everything=False) for tab in tabs}
    assert [f.cache_info().misses for f in shared] == [1] * len(shared)  # one computation for every tab
    for tab, view in together.items():
        assert_same_cards(cards(view), cards(alone[tab]))
        assert [str(n) for n in view.notes] == [str(n) for n in alone[tab].notes], tab
        assert view.kpis  # every tab has its cards
        tables, own = view.tables(), alone[tab].tables()
        assert tables.keys() == own.keys(), tab
        for name, table in tables.items():  # (rows in any order: ties may come either way)
            got, want = (ordered(t) for t in (table, own[name]))
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, obj=f"{tab} {name}")
    first, second = list(together.values())[:2]
    assert all(first.kpis[m] is not second.kpis[m] for m in first.kpis)  # each view's own cards
    other = page_view(ws, f"{page}?{tabs[0]}{query}&segment=SMB", everything=False)
    assert shared[0].cache_info().misses == 2  # another filter: computed anew
    cache.clear()
    assert_same_cards(cards(other), cards(page_view(ws, f"{page}?{tabs[0]}{query}&segment=SMB", everything=False)))


#: What the CLI's view of every section takes from the sections the app computed one at a time.
EVERY_SECTION = {
    "churn": (churn._cards, churn._by_attribute, churn._survival),
    "channels": (channels._above_fold,),
}


@pytest.mark.parametrize("page", EVERY_SECTION)
def test_the_view_of_every_section_reuses_the_sections(shape_ws, page):
    """The CLI's view of every section, after the app opened each section, computes none of them
    again, and holds each section's tables as the section computed them."""
    ws = shape_ws("demo")
    tabs, _ = PAGES[page]
    cache.clear()
    sections = [page_view(ws, f"{page}?{tab}", everything=False) for tab in tabs]
    whole = page_view(ws, page, everything=True)
    assert [f.cache_info().misses for f in EVERY_SECTION[page]] == [1] * len(EVERY_SECTION[page])
    every = whole.tables()
    for view in sections:
        for name, table in view.tables().items():
            pd.testing.assert_frame_equal(every[name], table, obj=name)
