"""The figures of the pages with sections (Segments, Churn, Complaints, Campaigns), for
`views.page_view`. Each section says what it lacks and why a figure has no comparison."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from insight.domain import (
    campaigns,
    churn,
    churn_measures,
    complaints,
    customer_value,
    segment_tables,
    segments,
    survival,
)
from insight.errors import InsightError
from insight.i18n import Message, msg
from insight.ml import churn_model, clusters
from insight.semantic import query
from insight.semantic.scope import Scope
from insight.views.options import read
from insight.views.views import (
    AT_RISK_SHOWN,
    CAMPAIGN_KPIS,
    COMPLAINT_KPIS,
    MEMBERS_SHOWN,
    SEGMENT_KPIS,
    SUGGESTIONS_SHOWN,
    Kpi,
    PageView,
    kpis,
    put,
    unapplied_notes,
)


def build(page: str, scope: Scope, view: PageView) -> None:
    {"segments": _segments, "churn": _churn, "complaints": _complaints, "campaigns": _campaigns}[page](scope, view)


def _kpi(mid: str, value, previous, table: str, note: Message | None = None) -> Kpi:
    """A card's figures; `note` says why there is no comparison (none without a value)."""
    if value is None:
        note = None
    if note is not None:
        previous = None
    return Kpi(mid, value, previous, *query.delta(value, previous), True, table, None, note)


# --- segments -------------------------------------------------------------------------------


def _segments(scope: Scope, view: PageView) -> None:
    scope = segments.with_segments(scope)
    if not scope.snap.has(segments.SEGMENTS):
        view.missing = ["orders.customer_id"]
        return
    view.notes += unapplied_notes(scope, (segments.SEGMENTS,))
    opts = read("segments", scope.filters)
    tab, k, spec = opts["tab"], opts["k"], opts["members"]
    clv = customer_value.clv_inputs(scope)
    now = segment_tables.summary(scope)
    other = scope.compare()
    before: dict = {}
    why = scope.uncompared("orders")
    if other is not None and why is None:
        previous = replace(segments.with_segments(scope, other.period), period=other.period)
        earlier = customer_value.clv_inputs(previous)
        before = segment_tables.summary(previous)
        if (earlier.retention is None) != (clv.retention is None):  # equity measured two ways: no comparison
            before["customer_equity"] = None
    for mid in (*SEGMENT_KPIS, "gold_share", "silver_share", "basic_share"):
        view.kpis[mid] = _kpi(mid, now.get(mid), before.get(mid), "orders", why)
    view.tables["segments"] = segment_tables.segment_table(scope, clv)
    view.tables["rf_grid"] = segment_tables.rf_grid(scope)
    view.tables["tiers"] = segment_tables.tier_table(scope, clv)
    view.tables["tier_churn"] = pd.DataFrame([segment_tables.churn_basis(scope)])
    view.tables["pareto"] = segment_tables.pareto_curve(scope)
    view.tables["clv"] = pd.DataFrame([clv.to_dict()])
    given = segment_tables.given_tiers(scope)
    if given is not None and len(given):
        view.tables["given_tiers"] = given
    if tab == "movement":
        moves = segment_tables.transitions(scope)
        if moves is not None:
            view.tables["transitions"] = moves
    found = clusters.run(scope, k) if tab == "clusters" or spec.startswith("cluster:") else None
    if found is not None:
        view.notes += found.notes
        profile = found.profile.copy()
        profile["name"] = profile["name_parts"].map(clusters.name_text)
        view.tables["clusters"] = profile
        view.tables["silhouette"] = pd.DataFrame(list(found.silhouettes.items()), columns=["k", "silhouette"])
        view.tables["projection"] = found.projection
    if spec:
        listed = clusters.members(scope, clv, spec, k=k)
        if listed is None:
            view.notes.append(msg("ignored.members", value=spec))
        else:
            view.tables["members"] = listed.head(MEMBERS_SHOWN)
            view.tables["members_count"] = pd.DataFrame([{"customers": len(listed)}])


# --- churn ----------------------------------------------------------------------------------


def churn_options(scope: Scope) -> dict:
    """The Churn page's own state, typed, with the attribute (`attr`) and survival split
    (`split`) checked against the customers' attributes: an unknown one falls back to the default."""
    opts = read("churn", scope.filters)
    attributes = churn.attributes(scope)
    by = opts["attr"] if opts["attr"] in attributes else churn.default_attribute(attributes)
    split = opts["split"] if opts["split"] in attributes else None
    return {**opts, "attr": by or "", "split": split or "", "attributes": attributes, "asked": opts}


def _churn(scope: Scope, view: PageView) -> None:
    d, notes = churn.definition(scope)
    view.notes += notes
    options = churn_options(scope)
    for key in ("attr", "split"):
        if options["asked"][key] and options["asked"][key] != options[key]:
            view.notes.append(msg("ignored.attr", param=key, value=options["asked"][key]))
    if not churn.available(scope, d):  # either will do: the flag, or orders to measure lapses
        view.missing = ["customers.churned", "orders.customer_id"]
        return
    view.notes += unapplied_notes(scope, ("customers",) if d.kind == "explicit" else ("orders",))
    view.tables["definition"] = pd.DataFrame([d.to_dict()])
    other = scope.compare()
    monthly = churn.trend(scope, d)
    why = scope.uncompared("orders") if d.kind == "behavioural" else msg("kpi.state")
    compared = None
    if other is not None and monthly is not None and why is None:
        compared = churn.trend(scope, d, other.period)
    now = churn.pooled(monthly) if d.kind == "behavioural" else churn.rate(scope, d)
    before = churn.pooled(compared) if compared is not None else {}
    cohort = churn.cohorts(scope)
    m3 = churn_measures.retention_at(cohort, 3)
    versus = churn.complaints_vs_churn(scope, d)
    gap = churn_measures.gap(versus)
    if other is None:
        why = None
    view.kpis = {
        "churn_rate": _kpi("churn_rate", now["churn_rate"], before.get("churn_rate"), "customers", why),
        "churned_customers": _kpi("churned_customers", now["churned"], before.get("churned"), "customers", why),
        "churn_base": _kpi("churn_base", now["base"], before.get("base"), "customers", why),
        "retention_m3": _kpi("retention_m3", m3, None, "orders", msg("kpi.cohorts") if other else None),
        "complaint_churn_gap": _kpi("complaint_churn_gap", gap, None, "tickets", msg("kpi.cutoff") if other else None),
    }
    for mid in ("retention_m3", "complaint_churn_gap"):
        view.kpis[mid].available = view.kpis[mid].value is not None
    if monthly is not None:
        view.tables["trend"] = monthly
        if compared is not None:
            view.tables["trend_compare"] = compared
    view.tables["attributes"] = pd.DataFrame({"attribute": options["attributes"]})
    if options["attr"]:
        view.tables["churn_by"] = churn.by_attribute(scope, d, options["attr"]).assign(attribute=options["attr"])
    if cohort is not None:
        view.tables["retention"] = cohort
    lasting = survival.survival(scope, d, options["split"] or None)
    if lasting is not None:
        view.tables["survival"] = lasting.curves
        view.tables["survival_groups"] = lasting.groups.assign(
            unit=lasting.unit, basis=lasting.basis, p_value=lasting.p_value
        )
    if versus is not None:
        view.tables["complaints_churn"] = versus
        linked, complainers = int(versus["linked"].iloc[0]), int(versus["complainers"].iloc[0])
        if linked < complainers:
            view.notes.append(msg("coverage.complainers", linked=f"{linked:,}", total=f"{complainers:,}"))
    if options["tab"] == "risk":
        model = churn_model.train(scope, d)
        if model is None:
            view.notes.append(msg("data.model_needs"))
            return
        view.notes += model.notes
        view.tables["model"] = pd.DataFrame([model.summary()])
        view.tables["calibration"] = model.calibration
        view.tables["importance"] = model.importance
        view.tables["refused"] = pd.DataFrame(list(model.refused.items()), columns=["feature", "reason"])
        listed, basis = churn_model.at_risk(scope, model)
        view.tables["at_risk"] = listed.head(AT_RISK_SHOWN)
        view.tables["at_risk_count"] = pd.DataFrame([{"customers": len(listed), "value_basis": basis}])


# --- complaints -----------------------------------------------------------------------------


def _complaints(scope: Scope, view: PageView) -> None:
    opts = read("complaints", scope.filters)
    tab = opts["tab"]
    view.kpis = kpis(scope, COMPLAINT_KPIS)
    found = complaints.pareto(scope)
    if found is not None and len(found):
        view.tables["categories"] = found
    elif found is not None:
        view.notes.append(msg("data.no_complaints"))
    sub = opts["sub"]
    if sub:
        view.tables["tickets"] = complaints.ticket_list(scope, sub)
        view.tables["tickets_count"] = pd.DataFrame([{"tickets": complaints.subcategory_count(scope, sub)}])
    missing_dates = complaints.undated(scope)
    if missing_dates:
        view.notes.append(msg("data.undated_tickets", count=f"{missing_dates:,}"))
    if not scope.has("tickets", "customer_id"):
        view.notes.append(msg("data.no_column", table=msg("table.tickets"), column="customer_id"))
    view.notes += complaints.coverage_notes(scope)
    if tab == "categories":
        put(view, "trend", complaints.trend(scope))
    elif tab == "time":
        spans = complaints.durations(scope)
        view.tables["durations"] = pd.DataFrame(
            [
                {"measure": m, **(spans[m] or {"p50": None, "p90": None, "tickets": 0})}
                for m in ("resolution", "first_response")
            ]
        ).assign(negative=spans["negative"], no_creation_time=spans["no_creation_time"])
        put(view, "histogram", complaints.resolution_histogram(scope))
        for by in ("category", "priority", "channel"):
            put(view, f"on_time_{by}", complaints.on_time(scope, by))
        backlog = complaints.overdue(scope)
        if backlog is not None:
            view.tables["overdue"] = backlog.head(complaints.OVERDUE_SHOWN)
            view.tables["overdue_count"] = pd.DataFrame([{"tickets": len(backlog), "as_of": complaints.as_of(scope)}])
    elif tab == "satisfaction":
        by_category = complaints.satisfaction(scope, "category")
        put(view, "satisfaction_category", by_category)
        put(view, "satisfaction_channel", complaints.satisfaction(scope, "channel"))
        put(view, "matrix", complaints.matrix(by_category))
        repeat = complaints.repeat_complainers(scope)
        if repeat is not None:
            view.tables["repeat"] = repeat.head(complaints.TICKETS_SHOWN)
            view.tables["repeat_count"] = pd.DataFrame(
                [{"customers": len(repeat), "complainers": complaints.complainers(scope)}]
            )
    elif tab == "customers":
        put(view, "churn_by_category", complaints.churn_by_category(scope))
        put(view, "value_at_stake", complaints.value_at_stake(scope))
    elif tab == "text":
        _text(scope, view, opts["k"])


def _text(scope: Scope, view: PageView, k: int) -> None:
    """Suggested categories where some tickets are labelled, else clusters to name."""
    from insight.ml import textsort

    # A user limited to some rows reads (and can only read) the texts of their rows.
    snap = None if scope.rows.everything else scope.snap
    try:
        found = textsort.suggest(scope.ws, snap)
        if found is not None:
            view.notes += found.notes
            view.tables["text_model"] = pd.DataFrame([found.summary()])
            view.tables["suggestions"] = found.suggested.drop(columns="_row").head(SUGGESTIONS_SHOWN)
            return
        grouped = textsort.cluster(scope.ws, k, snap)
        view.notes += grouped.notes
        view.tables["text_clusters"] = grouped.clusters
    except InsightError as exc:
        view.notes.append(msg("data.text_sorting", problem=exc.message, hint=exc.hint or ""))


# --- campaigns ------------------------------------------------------------------------------


def _campaigns(scope: Scope, view: PageView) -> None:
    days, notes = campaigns.window(scope)
    view.notes += notes
    table = campaigns.campaign_table(scope)
    if table is None or table.empty:
        view.notes.append(msg("data.no_contacts"))
        return
    now = campaigns.totals(table)
    other = scope.compare()
    why = scope.uncompared("contacts") if other is not None else None
    before = {}
    if other is not None and why is None:
        before = campaigns.totals(campaigns.campaign_table(replace(scope, period=other.period)))
    for mid in CAMPAIGN_KPIS:
        view.kpis[mid] = _kpi(mid, now[mid], before.get(mid), "contacts", why)
    if now["uplift"] is None:  # no campaign in view has a control group
        view.kpis["uplift"].note = msg("kpi.no_control")
    if now["roi"] is None and not scope.has("campaigns", "spend"):
        view.kpis["roi"].missing = "campaigns.spend" if scope.snap.has("campaigns") else "campaigns"
    view.tables["campaigns"] = table
    view.tables["window"] = pd.DataFrame([{"days": days, "own_revenue": campaigns.own_revenue(scope)}])
    attr = read("campaigns", scope.filters)["attr"]
    put(view, "who_responded", campaigns.who_responded(scope, attr))
    view.tables["funnel_campaign"] = campaigns.funnel(table, "campaign_id")
    own = campaigns.contact_funnel(scope)  # the contacts' own channel wins over the campaign's
    if own is not None:
        view.tables["funnel_channel"] = own
    elif "channel" in table:
        view.tables["funnel_channel"] = campaigns.funnel(table, "channel")
    put(view, "timeline", campaigns.timeline(scope, table))
