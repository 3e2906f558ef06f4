"""The Churn page's figures: the definition in force, trend, churn by attribute, cohorts,
survival and the churn-risk model with its at-risk list. In the app only the open tab's figures
are computed (the cards' cohorts and complaint gap on every tab)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from insight.domain import churn, churn_measures, survival
from insight.i18n import msg
from insight.ml import churn_model
from insight.semantic.scope import Scope
from insight.views.options import read
from insight.views.views import AT_RISK_SHOWN, PageView, Record, every_tab, kpi, own_cards, unapplied_notes


@dataclass(frozen=True)
class AtRiskCount(Record):
    customers: int
    value_basis: str


@dataclass
class ChurnView(PageView):
    definition: churn.Definition | None = None
    trend: pd.DataFrame | None = None  # trend tab: churn by month
    trend_compare: pd.DataFrame | None = None  # ... over the comparison period
    #: The customers' attributes churn can be split by.
    attributes: list[str] | None = None
    churn_by: pd.DataFrame | None = None  # attribute tab
    retention: pd.DataFrame | None = None  # cohorts tab: the retention matrix
    survival: pd.DataFrame | None = None  # survival tab: the curves
    survival_groups: pd.DataFrame | None = None
    complaints_churn: pd.DataFrame | None = None  # churn of complainers against the others
    model: dict | None = None  # risk tab: the model's summary (mode, cutoffs, metrics)
    calibration: pd.DataFrame | None = None
    importance: pd.DataFrame | None = None
    refused: pd.DataFrame | None = None  # features the guard refused, with why
    at_risk: pd.DataFrame | None = None  # the first AT_RISK_SHOWN
    at_risk_count: AtRiskCount | None = None

    def figures(self) -> dict[str, object]:
        listed = None if self.attributes is None else pd.DataFrame({"attribute": self.attributes})
        return {**super().figures(), "attributes": listed}  # (the key keeps its place)


def churn_options(scope: Scope) -> dict:
    """The Churn page's own state, typed, with the attribute (`attr`) and survival split
    (`split`) checked against the customers' attributes: an unknown one falls back to the default."""
    opts = read("churn", scope.filters)
    attributes = churn.attributes(scope)
    by = opts["attr"] if opts["attr"] in attributes else churn.default_attribute(attributes)
    split = opts["split"] if opts["split"] in attributes else None
    return {**opts, "attr": by or "", "split": split or "", "attributes": attributes, "asked": opts}


def build(scope: Scope, view: ChurnView, everything: bool = True) -> None:
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
    view.definition = d
    shown = lambda tab: everything or options["tab"] == tab  # noqa: E731
    cards, monthly, compared, versus = _cards(scope, d)
    view.kpis = own_cards(cards)
    if monthly is not None and shown("trend"):
        view.trend, view.trend_compare = monthly, compared
    view.attributes = options["attributes"]
    if options["attr"] and shown("attribute"):
        view.churn_by = _by_attribute(scope, d, options["attr"])
    view.retention = _cohorts(scope) if shown("cohorts") else None
    lasting = _survival(scope, d, options["split"] or None) if shown("survival") else None
    if lasting is not None:
        view.survival = lasting.curves
        view.survival_groups = lasting.groups.assign(unit=lasting.unit, basis=lasting.basis, p_value=lasting.p_value)
    if versus is not None:
        view.complaints_churn = versus
        linked, complainers = int(versus["linked"].iloc[0]), int(versus["complainers"].iloc[0])
        if linked < complainers:
            view.notes.append(msg("coverage.complainers", linked=f"{linked:,}", total=f"{complainers:,}"))
    if options["tab"] == "risk":
        _risk(scope, view, d)


@every_tab
def _cards(scope: Scope, d: churn.Definition):
    """The cards (the same on every tab: computed once for all of them) and what they were
    computed from: the monthly trend (and the comparison period's) and complaints against churn.
    (Retention at month 3 without the cohort matrix where it can: insight/domain/churn_measures.py.)"""
    other = scope.compare()
    monthly = churn.trend(scope, d)
    why = scope.uncompared("orders") if d.kind == "behavioural" else msg("kpi.state")
    compared = None
    if other is not None and monthly is not None and why is None:
        compared = churn.trend(scope, d, other.period)
    now = churn.pooled(monthly) if d.kind == "behavioural" else churn.rate(scope, d)
    before = churn.pooled(compared) if compared is not None else {}
    m3 = churn_measures.retention_m3(scope)
    versus = churn.complaints_vs_churn(scope, d)
    gap = churn_measures.gap(versus)
    if other is None:
        why = None
    cards = {
        "churn_rate": kpi("churn_rate", now["churn_rate"], before.get("churn_rate"), "customers", why),
        "churned_customers": kpi("churned_customers", now["churned"], before.get("churned"), "customers", why),
        "churn_base": kpi("churn_base", now["base"], before.get("base"), "customers", why),
        "retention_m3": kpi("retention_m3", m3, None, "orders", msg("kpi.cohorts") if other else None),
        "complaint_churn_gap": kpi("complaint_churn_gap", gap, None, "tickets", msg("kpi.cutoff") if other else None),
    }
    for mid in ("retention_m3", "complaint_churn_gap"):
        cards[mid].available = cards[mid].value is not None
    return cards, monthly, compared, versus


@every_tab
def _by_attribute(scope: Scope, d: churn.Definition, attr: str) -> pd.DataFrame:
    """The attribute tab's table, computed once per state for the tab and the CLI's view of every section."""
    return churn.by_attribute(scope, d, attr).assign(attribute=attr)


@every_tab
def _survival(scope: Scope, d: churn.Definition, split: str | None) -> survival.Survival | None:
    """The survival tab's curves, computed once per state for the tab and the CLI's view of every section."""
    return survival.survival(scope, d, split)


@every_tab
def _cohorts(scope: Scope) -> pd.DataFrame | None:
    """The cohorts tab's retention matrix, computed once per state for the tab and the CLI's view of every section."""
    return churn.cohorts(scope)


@every_tab
def _model(scope: Scope, d: churn.Definition) -> tuple | None:
    """The risk model and its at-risk list, computed once per state for the risk tab and the CLI's
    view of every section (the model itself is kept apart: `churn_model.train`)."""
    model = churn_model.train(scope, d)
    return None if model is None else (model, churn_model.at_risk(scope, model))


def _risk(scope: Scope, view: ChurnView, d: churn.Definition) -> None:
    found = _model(scope, d)
    if found is None:
        view.notes.append(msg("data.model_needs"))
        return
    model, (listed, basis) = found
    view.notes += model.notes
    view.model = model.summary()
    view.calibration = model.calibration
    view.importance = model.importance
    view.refused = pd.DataFrame(list(model.refused.items()), columns=["feature", "reason"])
    view.at_risk = listed.head(AT_RISK_SHOWN)
    view.at_risk_count = AtRiskCount(len(listed), basis)
