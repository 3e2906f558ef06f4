"""Complaints and service: categories, time limits (工单时限, 及时率, 超期预警), satisfaction and
the customers behind the complaints."""

from insight.ui import complaint_tabs
from insight.ui.cache import view
from insight.ui.interact import page_header
from insight.ui.shell import context, guard
from insight.ui.urlstate import choice
from insight.ui.widgets import kpi_cards, ready, view_notes
from insight.views.views import COMPLAINT_KPIS

ctx = context()
t = ctx.t
# Accepting suggestions or naming clusters writes a new tickets version over every row: marketers
# and up who see every row.
editor = ctx.can("edit") and ctx.scope.rows.everything
ctx, options = page_header(ctx, "complaints")
tab = choice("tab", t("cmp.section"), lambda x: t(f"cmp.tab.{x}"), "segmented")
pv = guard(view, ctx, "complaints", {} if tab == "text" else {"k": ""})
if ready(ctx, pv):
    kpi_cards(ctx, {m: pv.kpis[m] for m in COMPLAINT_KPIS})
    view_notes(ctx, pv, kinds=("coverage",))
    if tab == "categories":
        complaint_tabs.categories(ctx, pv, options["sub"])
    elif tab == "text":
        complaint_tabs.text(ctx, pv, editor)
    else:
        getattr(complaint_tabs, tab)(ctx, pv)
