"""The URL state of every page, declared once.

Each option a link may carry is declared with its name, type, range and default (as
scikit-learn declares its parameter constraints): the app and the CLI parse a link with `parse`
into one `Filters` value whose `extra` holds only the valid, non-default options of the page in
their canonical URL form, with a translated note for every value ignored. Pages read them typed
(`read(page, filters)["k"]` is an int or None); widgets write canonical values back
(`Option.encode`); the share link is `Filters.to_query()`.

Options whose valid values depend on the data (`attr`, `members`, `cohorts`...) are declared
`data=True`: their form is checked here, their membership by the view that uses them, which
notes a value the data does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from insight import settings
from insight.domain.campaigns import ATTRIBUTES
from insight.domain.churn import DEFINITIONS
from insight.domain.overview import MOVED_DIMS, MOVED_METRICS
from insight.domain.segments import Options as SegmentOptions
from insight.i18n import Message, msg
from insight.semantic.filters import Filters, whole_number
from insight.semantic.metrics import sla_from

#: A validator of a free-form option: the raw value -> its canonical form ("" for the default)
#: and the notes on what was ignored.
Check = Callable[[str], tuple[str, list[Message]]]


@dataclass(frozen=True)
class Option:
    name: str
    kind: str  # "choice", "int", "flag", "text" (free or `check`ed) or "values" (repeated)
    default: str = ""
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    check: Check | None = None
    #: Whether the data decides which values are valid (checked by the view, not here).
    data: bool = False
    #: Whether the page's visible widget shows the value as it is and is bound to the URL itself
    #: (a cohort, a customer id), rather than writing a code into a hidden store.
    own: bool = False
    #: The note on an invalid value, where the catalog has a more specific one than the kind's.
    note: Callable[[str], Message] | None = None

    def parse(self, raw: str) -> tuple[str, list[Message]]:
        """The canonical URL value of `raw` ("" when it is the default or invalid) and the note
        on an invalid value, with the valid choices."""
        raw = raw.strip()
        if not raw or raw == self.default:
            return "", []
        if self.check is not None:
            return self.check(raw)
        if self.kind == "choice" and raw not in self.choices:
            return "", [msg("ignored.option", param=self.name, value=raw, choices=", ".join(self.choices))]
        if self.kind == "flag":
            if raw not in ("true", "false"):
                return "", [msg("ignored.option", param=self.name, value=raw, choices="true, false")]
            return ("true" if raw == "true" else ""), []
        if self.kind == "int":
            number = whole_number(raw)
            if number is None or not self.low <= number <= self.high:
                why = self.note(raw) if self.note else None
                return "", [why or msg("ignored.range", param=self.name, value=raw, low=self.low, high=self.high)]
            return ("" if str(number) == self.default else str(number)), []
        return raw, []

    def value(self, canonical: str | None):
        """The typed value of a canonical URL value (None or "": the default)."""
        text = canonical or self.default
        if self.kind == "flag":
            return text == "true"
        if self.kind == "int":
            return int(text) if text else None
        return text

    def encode(self, value) -> str:
        """The URL value of a widget's value: "" for the default (omitted from the URL)."""
        if self.kind == "flag":
            return "true" if value else ""
        text = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        return "" if text == self.default else text


def _tiers(raw: str) -> tuple[str, list[Message]]:
    options, notes = SegmentOptions.from_extra({"tiers": raw})
    return ("" if notes or options == SegmentOptions() else raw), notes


def _margin(raw: str) -> tuple[str, list[Message]]:
    options, notes = SegmentOptions.from_extra({"margin": raw})
    return ("" if notes or options == SegmentOptions() else raw), notes


def _sla(raw: str) -> tuple[str, list[Message]]:
    hours, notes = sla_from({"sla": raw})
    return ("" if hours is None else raw), notes


#: Options of every page: they change what a figure means wherever it is shown (the tier filter
#: and CLV; the churn rate; the on-time rate), so one name keeps one number across pages. Their
#: widgets live on one page each (Segments, Churn, Complaints); their values follow every page.
GLOBAL = (
    Option("tiers", "text", check=_tiers),
    Option("margin", "text", check=_margin),
    # which definitions the data allows is the data's to say (insight.domain.churn.definition)
    Option("churn", "choice", "", DEFINITIONS, data=True),
    Option(
        "days",
        "int",
        str(settings.INACTIVITY_DAYS),
        low=settings.CHURN_DAYS_RANGE[0],
        high=settings.CHURN_DAYS_RANGE[1],
        note=lambda raw: msg(
            "ignored.days", value=raw, low=settings.CHURN_DAYS_RANGE[0], high=settings.CHURN_DAYS_RANGE[1]
        ),
    ),
    Option("sla", "text", check=_sla),
)

SEGMENT_TABS = ("rfm", "movement", "tiers", "clusters", "clv")
CHURN_TABS = ("trend", "attribute", "cohorts", "survival", "risk")
COMPLAINT_TABS = ("categories", "time", "satisfaction", "customers", "text")
RETENTION_BASES = ("customers", "revenue")
CHANNEL_MEASURES = ("revenue", "orders", "customers")


def _tab(choices: tuple[str, ...]) -> Option:
    return Option("tab", "choice", choices[0], choices)


#: Each page's own options, in URL order.
PAGES: dict[str, tuple[Option, ...]] = {
    "overview": (
        Option("mv", "choice", MOVED_METRICS[0], MOVED_METRICS),
        Option("by", "choice", MOVED_DIMS[0], MOVED_DIMS),
    ),
    "channels": (
        Option("measure", "choice", CHANNEL_MEASURES[0], CHANNEL_MEASURES),
        Option("share", "flag"),
        Option("more", "flag"),  # the section below the fold (migration and roles) is open
    ),
    "segments": (
        _tab(SEGMENT_TABS),
        Option("k", "int", "", low=settings.CLUSTER_K_RANGE[0], high=settings.CLUSTER_K_RANGE[1]),
        Option("members", "text", data=True),
        Option("grid", "flag"),
    ),
    "churn": (
        _tab(CHURN_TABS),
        Option("attr", "text", data=True),
        Option("split", "text", data=True),
        Option("ret", "choice", RETENTION_BASES[0], RETENTION_BASES),
        Option("cohorts", "values", data=True, own=True),
    ),
    "complaints": (
        _tab(COMPLAINT_TABS),
        Option("sub", "text", data=True),
        Option(
            "k",
            "int",
            str(settings.TEXT_CLUSTERS),
            low=settings.TEXT_CLUSTERS_RANGE[0],
            high=settings.TEXT_CLUSTERS_RANGE[1],
        ),
    ),
    "campaigns": (
        Option(
            "win",
            "int",
            str(settings.ATTRIBUTION_DAYS),
            low=1,
            high=365,
            note=lambda raw: msg("ignored.win", value=raw),
        ),
        Option("attr", "choice", ATTRIBUTES[0], ATTRIBUTES),
    ),
    "customer": (Option("id", "text", data=True, own=True),),
}


def declared(page: str) -> dict[str, Option]:
    """The options a link to `page` may carry: the global ones and the page's own."""
    return {o.name: o for o in (*GLOBAL, *PAGES.get(page, ()))}


def validate(page: str, raw: dict[str, list[str]]) -> tuple[tuple[tuple[str, str], ...], list[Message]]:
    """The valid, non-default options of `raw` (URL key -> values) in canonical form, in the
    declared order, and a note for each value ignored. Keys `page` does not declare are left out."""
    out, notes = [], []
    for name, option in declared(page).items():
        values = [v for v in raw.get(name, []) if v is not None and str(v).strip()]
        if not values:
            continue
        for value in values if option.kind == "values" else values[-1:]:
            canonical, why = option.parse(str(value))
            notes += why
            if canonical:
                out.append((name, canonical))
    return tuple(out), notes


def parse(page: str, query: str | dict) -> tuple[Filters, list[Message]]:
    """A link's whole state for `page`: the global filters and the page's options, validated
    once, with a note for every value ignored."""
    filters, notes = Filters.from_query(query)
    raw: dict[str, list[str]] = {}
    for key, value in filters.extra:
        raw.setdefault(key, []).append(value)
    extra, option_notes = validate(page, raw)
    return replace(filters, extra=extra), notes + option_notes


class PageOptions(dict):
    """A page's options, typed: every declared option, at its default unless the link set it."""


def read(page: str, filters: Filters) -> PageOptions:
    """The typed options of `page` from validated `filters` (`parse`)."""
    given: dict[str, list[str]] = {}
    for key, value in filters.extra:
        given.setdefault(key, []).append(value)
    out = PageOptions()
    for name, option in declared(page).items():
        values = given.get(name, [])
        out[name] = list(values) if option.kind == "values" else option.value(values[-1] if values else None)
    return out
