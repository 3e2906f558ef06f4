"""Page figures, computed once for the pages and the CLI `view` alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import pandas as pd

from insight import campaigns, channels, churn, churn_model, clusters, complaints, metrics, overview, segments, settings
from insight.access import RowScope
from insight.filters import Filters, whole_number
from insight.i18n import msg
from insight.scope import Scope
from insight.workspace import Workspace

PAGES = ("overview", "channels", "segments", "churn", "complaints", "campaigns", "customer", "data")
DEFAULT_PAGE = "overview"

#: What each page needs before it can show anything.
PAGE_TABLES = {
    "overview": ("orders",),
    "channels": ("orders",),
    "segments": ("orders",),
    "churn": (),  # customers with a churned flag, or orders (behavioural churn): `_churn` checks
    "complaints": ("tickets",),
    "campaigns": ("contacts",),  # the campaigns table adds names and spend where it exists
    "customer": ("customers",),
    "data": (),
}

OVERVIEW_KPIS = (
    "revenue",
    "orders",
    "aov",
    "active_customers",
    "churn_rate",
    "complaints",
    "complaint_rate",
    "on_time_rate",
    "csat",
)


CHANNEL_KPIS = ("revenue", "orders", "active_customers", "aov")
SEGMENT_KPIS = ("segment_customers", "segment_revenue", "pareto_top20_share", "diamond_share", "customer_equity")
SEGMENT_TABS = ("rfm", "movement", "tiers", "clusters", "clv")
MEMBERS_SHOWN = 500
CHURN_KPIS = ("churn_rate", "churned_customers", "churn_base", "retention_m3", "complaint_churn_gap")
CHURN_TABS = ("trend", "attribute", "cohorts", "survival", "risk")
RETENTION_BASES = ("customers", "revenue")
AT_RISK_SHOWN = 500
COMPLAINT_KPIS = ("complaints", "complaint_rate", "on_time_rate", "fcr_rate", "csat")
COMPLAINT_TABS = ("categories", "time", "satisfaction", "customers", "text")
SUGGESTIONS_SHOWN = 500
CAMPAIGN_KPIS = ("response_rate", "conversion_rate", "roi", "uplift")


@dataclass
class Kpi:
    id: str
    value: float | None
    previous: float | None
    change: float | None
    change_pct: float | None
    available: bool
    table: str | None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "id"}


@dataclass
class PageView:
    page: str
    filters: Filters
    kpis: dict[str, Kpi] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "page": self.page,
            "filters": self.filters.to_params(),
            "kpis": {k: v.value for k, v in self.kpis.items()},
            "comparison": {k: v.to_dict() for k, v in self.kpis.items()},
            "tables": {name: _records(frame) for name, frame in self.tables.items()},
            "notes": self.notes,
            "missing": self.missing,
        }


def missing_tables(scope: Scope, page: str) -> list[str]:
    return [t for t in PAGE_TABLES.get(page, ()) if not scope.snap.has(t)]


def kpis(scope: Scope, ids: tuple[str, ...] = OVERVIEW_KPIS) -> dict[str, Kpi]:
    other = scope.compare()
    now, before = metrics.compute_periods(scope, list(ids), [scope.period, other.period if other else None])
    out = {}
    for mid in ids:
        change, pct = metrics.delta(now[mid], before[mid])
        m = metrics.REGISTRY[mid]
        table = m.table or metrics.REGISTRY[m.ratio[0]].table
        out[mid] = Kpi(mid, now[mid], before[mid], change, pct, metrics.available(scope, mid), table)
    if "churn_rate" in out and not out["churn_rate"].available:  # no flag: behavioural churn (SPEC §6)
        d, _ = churn.definition(scope)
        if churn.available(scope, d):
            value = churn.rate(scope, d)["churn_rate"]
            previous = churn.rate(scope, d, other.period)["churn_rate"] if other else None
            out["churn_rate"] = Kpi("churn_rate", value, previous, *metrics.delta(value, previous), True, "orders")
    return out


def grain(period: tuple[dt.date, dt.date]) -> str:
    """Day for a month or less, week up to half a year, month beyond."""
    days = (period[1] - period[0]).days + 1
    return "day" if days <= 31 else "week" if days <= 183 else "month"


def page_view(ws: Workspace, link: str, rows: RowScope | None = None) -> PageView:
    """The figures of one page view, from a share link (path and query, or a whole URL), as a
    user who may see `rows` sees them (default: every row)."""
    page, query = parse_link(link)
    filters, notes = Filters.from_query(query)
    scope = Scope.open(ws, filters, notes, rows)
    view = PageView(page, filters, notes=list(scope.notes))
    view.missing = missing_tables(scope, page)
    if page == "overview" and not view.missing:
        view.kpis = kpis(scope)
        over_time = overview.series(scope, OVERVIEW_KPIS, grain(scope.period) if scope.period else "month")
        view.tables["series"] = over_time
        moved = overview.what_moved(scope)
        for metric_id, frame in moved.items():
            view.tables[f"moved_{metric_id}"] = frame
        overdue = complaints.overdue(scope, tiers=False)
        if overdue is not None:
            view.tables["overdue"] = overdue.head(complaints.OVERDUE_SHOWN)
        view.tables["alerts"] = pd.DataFrame(overview.alerts(scope, moved, overdue))
    elif page == "channels" and not view.missing:
        g = grain(scope.period) if scope.period else "month"
        view.kpis = kpis(scope, CHANNEL_KPIS)
        view.tables["over_time"] = channels.over_time(scope, g)
        view.tables["channel_region"] = channels.crosstab(scope, "region")
        view.tables["channel_segment"] = channels.crosstab(scope, "segment")
        view.tables["acquisition"] = channels.acquisition(scope, g)
        view.tables["migration"] = channels.migration(scope)
        view.tables["service"] = channels.service(scope)
        view.tables["roles"] = channels.roles(scope)
    elif page == "segments" and not view.missing:
        _segments(segments.with_segments(scope), view)
    elif page == "churn" and not view.missing:
        _churn(scope, view)
    elif page == "complaints" and not view.missing:
        _complaints(scope, view)
    elif page == "campaigns" and not view.missing:
        _campaigns(scope, view)
    elif page == "data":
        view.tables["datasets"] = ws.datasets()
    if scope.period:
        view.tables["period"] = pd.DataFrame(
            [{"from": scope.period[0], "to": scope.period[1], "version": scope.snap.version}]
        )
    return view


def segment_options(filters: Filters) -> tuple[str, int | None, str]:
    """The Segments page's own state: section (`tab`), k (`k`, blank: by silhouette) and the
    group whose members are listed (`members`)."""
    extra = dict(filters.extra)
    tab = extra.get("tab") if extra.get("tab") in SEGMENT_TABS else SEGMENT_TABS[0]
    raw_k = extra.get("k", "")
    low, high = settings.CLUSTER_K_RANGE
    k = whole_number(raw_k)
    k = k if k is not None and low <= k <= high else None
    return tab, k, extra.get("members", "")


def _segments(scope: Scope, view: PageView) -> None:
    if not scope.snap.has(segments.SEGMENTS):
        view.notes.append("segments need orders with a customer_id and an order date")
        return
    tab, k, spec = segment_options(scope.filters)
    clv = segments.clv_inputs(scope)
    now = segments.summary(scope, clv)
    other = scope.compare()
    before: dict = {}
    if other is not None:
        previous = replace(segments.with_segments(scope, other.period), period=other.period)
        earlier = segments.clv_inputs(previous)
        before = segments.summary(previous, earlier)
        if (earlier.retention is None) != (clv.retention is None):  # equity measured two ways: no comparison
            before["customer_equity"] = None
    for mid in (*SEGMENT_KPIS, "gold_share", "silver_share", "basic_share"):
        change, pct = metrics.delta(now.get(mid), before.get(mid))
        view.kpis[mid] = Kpi(mid, now.get(mid), before.get(mid), change, pct, True, "orders")
    view.tables["segments"] = segments.segment_table(scope, clv)
    view.tables["rf_grid"] = segments.rf_grid(scope)
    view.tables["tiers"] = segments.tier_table(scope, clv)
    view.tables["pareto"] = segments.pareto_curve(scope)
    view.tables["clv"] = pd.DataFrame([clv.to_dict()])
    given = segments.given_tiers(scope)
    if given is not None and len(given):
        view.tables["given_tiers"] = given
    if tab == "movement":
        moves = segments.transitions(scope)
        if moves is not None:
            view.tables["transitions"] = moves
    found = clusters.run(scope, k) if tab == "clusters" or spec.startswith("cluster:") else None
    if found is not None:
        profile = found.profile.copy()
        profile["name"] = profile["name_parts"].map(clusters.name_text)
        view.tables["clusters"] = profile
        view.tables["silhouette"] = pd.DataFrame(list(found.silhouettes.items()), columns=["k", "silhouette"])
        view.tables["projection"] = found.projection
    if spec:
        listed = clusters.members(scope, clv, spec, k=k)
        if listed is None:
            view.notes.append(f"members={spec!r} ignored: not a segment, tier, cell, move or cluster")
        else:
            view.tables["members"] = listed.head(MEMBERS_SHOWN)
            view.tables["members_count"] = pd.DataFrame([{"customers": len(listed)}])


def churn_options(scope: Scope) -> dict[str, str]:
    """The Churn page's own state: section (`tab`), the attribute churn is broken down by
    (`attr`), the survival split (`split`) and the retention basis (`ret`). Invalid values fall
    back to the defaults; `churn_notes` says so."""
    extra = dict(scope.filters.extra)
    options = churn.attributes(scope)
    by = extra.get("attr") if extra.get("attr") in options else churn.default_attribute(options)
    split = extra.get("split") if extra.get("split") in options else None
    return {
        "tab": extra.get("tab") if extra.get("tab") in CHURN_TABS else CHURN_TABS[0],
        "attr": by or "",
        "split": split or "",
        "ret": extra.get("ret") if extra.get("ret") in RETENTION_BASES else RETENTION_BASES[0],
        "attributes": options,
    }


def _churn(scope: Scope, view: PageView) -> None:
    d, notes = churn.definition(scope)
    view.notes += notes
    options = churn_options(scope)
    extra = dict(scope.filters.extra)
    for key in ("attr", "split"):
        if extra.get(key) and extra[key] != options[key]:
            view.notes.append(f"{key}={extra[key]!r} ignored: not an attribute of these customers")
    if not churn.available(scope, d):
        view.missing = [t for t in ("customers", "orders") if not scope.snap.has(t)]
        if not view.missing:
            view.notes.append("churn needs customers with a churned flag, or orders with a customer_id and a date")
        return
    view.tables["definition"] = pd.DataFrame([d.to_dict()])
    other = scope.compare()
    monthly = churn.trend(scope, d)
    compared = churn.trend(scope, d, other.period) if other is not None and monthly is not None else None
    now = churn.pooled(monthly) if d.kind == "behavioural" else churn.rate(scope, d)
    before = churn.pooled(compared) if d.kind == "behavioural" and other is not None else {}
    cohort = churn.cohorts(scope)
    m3 = None
    if cohort is not None and len(cohort):
        at3 = cohort[cohort["offset"] == 3]
        m3 = at3["retained"].sum() / at3["customers"].sum() if len(at3) else None
    versus = churn.complaints_vs_churn(scope, d)
    gap = None
    if versus is not None and (versus["value"] == "difference").any():
        gap = float(versus.loc[versus["value"] == "difference", "churn_rate"].iloc[0])
    values = {
        "churn_rate": (now["churn_rate"], before.get("churn_rate")),
        "churned_customers": (now["churned"], before.get("churned")),
        "churn_base": (now["base"], before.get("base")),
        "retention_m3": (m3, None),
        "complaint_churn_gap": (gap, None),
    }
    for mid, (value, previous) in values.items():
        change, pct = metrics.delta(value, previous)
        view.kpis[mid] = Kpi(mid, value, previous, change, pct, value is not None, "customers")
    if monthly is not None:
        view.tables["trend"] = monthly
        if compared is not None:
            view.tables["trend_compare"] = compared
    view.tables["attributes"] = pd.DataFrame({"attribute": options["attributes"]})
    if options["attr"]:
        view.tables["churn_by"] = churn.by_attribute(scope, d, options["attr"]).assign(attribute=options["attr"])
    if cohort is not None:
        view.tables["retention"] = cohort
    lasting = churn.survival(scope, d, options["split"] or None)
    if lasting is not None:
        view.tables["survival"] = lasting.curves
        view.tables["survival_groups"] = lasting.groups.assign(
            unit=lasting.unit, basis=lasting.basis, p_value=lasting.p_value
        )
    if versus is not None:
        view.tables["complaints_churn"] = versus
    if options["tab"] == "risk":
        model = churn_model.train(scope, d)
        if model is None:
            view.notes.append("the churn-risk model needs customers of both kinds (churned and not) to learn from")
            return
        view.tables["model"] = pd.DataFrame([model.summary()])
        view.tables["calibration"] = model.calibration
        view.tables["importance"] = model.importance
        view.tables["refused"] = pd.DataFrame(list(model.refused.items()), columns=["feature", "reason"])
        listed, basis = churn_model.at_risk(scope, model)
        view.tables["at_risk"] = listed.head(AT_RISK_SHOWN)
        view.tables["at_risk_count"] = pd.DataFrame([{"customers": len(listed), "value_basis": basis}])


def _complaints(scope: Scope, view: PageView) -> None:
    extra = dict(scope.filters.extra)
    tab = extra.get("tab") if extra.get("tab") in COMPLAINT_TABS else COMPLAINT_TABS[0]
    view.notes += metrics.sla_from(extra)[1] + _unapplied(scope, "tickets")
    view.kpis = kpis(scope, COMPLAINT_KPIS)
    found = complaints.pareto(scope)
    if found is not None:
        view.tables["categories"] = found
    sub = extra.get("sub")
    if sub:
        view.tables["tickets"] = complaints.ticket_list(scope, sub)
        view.tables["tickets_count"] = pd.DataFrame([{"tickets": complaints.subcategory_count(scope, sub)}])
    missing_dates = complaints.undated(scope)
    if missing_dates:
        view.notes.append(f"{missing_dates:,} complaint tickets have no creation time and fall outside every period")
    if not scope.has("tickets", "customer_id"):
        view.notes.append("customer parts hidden: the tickets have no customer_id")
    if tab == "categories":
        _put(view, "trend", complaints.trend(scope))
    elif tab == "time":
        spans = complaints.durations(scope)
        view.tables["durations"] = pd.DataFrame(
            [
                {"measure": m, **(spans[m] or {"p50": None, "p90": None, "tickets": 0})}
                for m in ("resolution", "first_response")
            ]
        ).assign(negative=spans["negative"], no_creation_time=spans["no_creation_time"])
        _put(view, "histogram", complaints.resolution_histogram(scope))
        for by in ("category", "priority", "channel"):
            _put(view, f"on_time_{by}", complaints.on_time(scope, by))
        backlog = complaints.overdue(scope)
        if backlog is not None:
            view.tables["overdue"] = backlog.head(complaints.OVERDUE_SHOWN)
            view.tables["overdue_count"] = pd.DataFrame([{"tickets": len(backlog), "as_of": complaints.as_of(scope)}])
    elif tab == "satisfaction":
        by_category = complaints.satisfaction(scope, "category")
        _put(view, "satisfaction_category", by_category)
        _put(view, "satisfaction_channel", complaints.satisfaction(scope, "channel"))
        _put(view, "matrix", complaints.matrix(by_category))
        repeat = complaints.repeat_complainers(scope)
        if repeat is not None:
            view.tables["repeat"] = repeat.head(complaints.TICKETS_SHOWN)
            view.tables["repeat_count"] = pd.DataFrame(
                [{"customers": len(repeat), "complainers": complaints.complainers(scope)}]
            )
    elif tab == "customers":
        _put(view, "churn_by_category", complaints.churn_by_category(scope))
        _put(view, "value_at_stake", complaints.value_at_stake(scope))
    elif tab == "text":
        _text(scope, view, extra)


def _text(scope: Scope, view: PageView, extra: dict) -> None:
    """Suggested categories where some tickets are labelled, else clusters to name."""
    from insight import textsort
    from insight.errors import InsightError

    # A user limited to some rows reads (and can only read) the texts of their rows.
    snap = None if scope.rows.everything else scope.snap
    try:
        found = textsort.suggest(scope.ws, snap)
        if found is not None:
            view.tables["text_model"] = pd.DataFrame([found.summary()])
            view.tables["suggestions"] = found.suggested.drop(columns="_row").head(SUGGESTIONS_SHOWN)
            return
        raw = extra.get("k", "")
        k = whole_number(raw)
        k = k if k is not None and 2 <= k <= 30 else textsort.DEFAULT_CLUSTERS
        view.tables["text_clusters"] = textsort.cluster(scope.ws, k, snap).clusters
    except InsightError as exc:
        view.notes.append(str(exc))


def _campaigns(scope: Scope, view: PageView) -> None:
    extra = dict(scope.filters.extra)
    days, notes = campaigns.window(scope)
    view.notes += notes + _unapplied(scope, "contacts")
    table = campaigns.campaign_table(scope)
    if table is None or table.empty:
        view.notes.append("no campaign contacts in this period and these filters")
        return
    now = campaigns.totals(table)
    other = scope.compare()
    before = campaigns.totals(campaigns.campaign_table(replace(scope, period=other.period))) if other else {}
    for mid in CAMPAIGN_KPIS:
        change, pct = metrics.delta(now[mid], before.get(mid))
        view.kpis[mid] = Kpi(mid, now[mid], before.get(mid), change, pct, now[mid] is not None, "contacts")
    view.tables["campaigns"] = table
    view.tables["window"] = pd.DataFrame([{"days": days, "own_revenue": campaigns.own_revenue(scope)}])
    attr = extra.get("attr") if extra.get("attr") in campaigns.ATTRIBUTES else "segment"
    _put(view, "who_responded", campaigns.who_responded(scope, attr))
    view.tables["funnel_campaign"] = campaigns.funnel(table, "campaign_id")
    own = campaigns.contact_funnel(scope)  # the contacts' own channel wins over the campaign's
    if own is not None:
        view.tables["funnel_channel"] = own
    elif "channel" in table:
        view.tables["funnel_channel"] = campaigns.funnel(table, "channel")
    _put(view, "timeline", campaigns.timeline(scope, table))


def _unapplied(scope: Scope, table: str) -> list:
    """A note naming the filters that do not apply to the page's table (`product` on tickets)."""
    ignored = scope.filters.unapplied(table, scope.snap, scope.columns)
    return [msg("note.not_applied", dims=", ".join(ignored), table=msg(f"table.{table}"))] if ignored else []


def _put(view: PageView, name: str, frame: pd.DataFrame | None) -> None:
    if frame is not None and len(frame):
        view.tables[name] = frame


def parse_link(link: str) -> tuple[str, str]:
    parts = urlsplit(link.strip())
    path = parts.path.strip("/").split("/")[-1] if parts.path.strip("/") else DEFAULT_PAGE
    if path not in PAGES:
        from insight.errors import InsightError

        raise InsightError(f"unknown page {path!r}", hint=f"use one of: {', '.join(PAGES)}")
    return path, parts.query


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
    out = out.astype(object).where(out.notna(), None)
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in out.to_dict("records")]
