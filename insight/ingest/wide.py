"""Wide response files: one row per customer and one 0/1 (yes/no …) column per campaign, as
marketing tools export them. Such a file is unpivoted into contacts — one per customer per
campaign column, the column's name as the campaign — before the usual mapping and checks, so it
imports all or nothing like any other file.

Which 0/1 columns are campaigns is decided by name and shape: a column is a campaign when its
name has a campaign word (Cmp, campaign, promo, offer, response, 活动, 营销 …) or it is one of a
numbered series (AcceptedCmp1 … AcceptedCmp5). Other flags (Complain, 是否投诉) are left out and
listed; a flag with more than two values (Kidhome 0/1/2) is not a response at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from insight.db.schema import normalise_header
from insight.db.workspace import quote
from insight.errors import InsightError
from insight.i18n import msg
from insight.ingest import headers, mapping
from insight.ingest.coerce import lit

#: The values a response column may hold (compared lower-cased and trimmed).
RESPONSE_VALUES = ("0", "1", "yes", "no", "y", "n", "true", "false", "t", "f", "是", "否", "0.0", "1.0")
MIN_COLUMNS = 2  # a single 0/1 column is a flag, not a set of campaigns
CAMPAIGN_WORDS = (
    "cmp",
    "campaign",
    "camp",
    "promo",
    "offer",
    "mail",
    "sms",
    "push",
    "coupon",
    "response",
    "responded",
    "accepted",
    "活动",
    "营销",
    "推广",
    "促销",
    "优惠",
    "券",
    "短信",
    "响应",
)
GENERATED_ID = "_generated_id"


@dataclass
class Wide:
    """A detected wide response file."""

    campaigns: list[str]  # 0/1 columns named like campaigns: unpivoted by default
    left_out: list[str] = field(default_factory=list)  # other 0/1 flags, kept as attributes
    id_column: str | None = None  # the customer id column (None: one generated id per row)


def detect(cur, table: str, columns: list[str], overrides: dict | None = None) -> Wide | None:
    """The file's campaign columns, if it is a wide response file (no campaign_id column, and at
    least two 0/1 columns named like campaigns)."""
    guessed = mapping.guess("contacts", columns)
    chosen = {**guessed, **{k: v for k, v in (overrides or {}).items() if v}}
    if chosen.get("campaign_id"):
        return None
    ident = id_column(columns, overrides)
    # Response columns may carry a contacts name (Response -> responded): in a wide file they are campaigns.
    other = {v for k, v in chosen.items() if k not in ("responded", "converted", "customer_id")}
    cols = [c for c in columns if c != ident and c not in other]
    if not cols:
        return None
    values = ", ".join(f"'{v}'" for v in RESPONSE_VALUES)
    checks = ", ".join(
        f"count({quote(c)}) FILTER (WHERE trim({quote(c)}) <> '') > 0 AND "
        f"bool_and(lower(trim({quote(c)})) IN ({values})) FILTER (WHERE trim({quote(c)}) <> '')"
        for c in cols
    )
    row = cur.execute(f"SELECT {checks} FROM {table}").fetchone()
    flags = [c for c, ok in zip(cols, row, strict=True) if ok]
    campaigns = campaign_like(flags)
    if len(campaigns) < MIN_COLUMNS:
        return None
    return Wide(campaigns, [c for c in flags if c not in campaigns], ident)


def campaign_like(flags: list[str]) -> list[str]:
    """The flags named like campaigns: a campaign word, or a numbered series of two or more."""
    stems = defaultdict(list)
    for c in flags:
        stem = re.sub(r"\d+$", "", normalise_header(c))
        if stem != normalise_header(c):
            stems[stem].append(c)
    series = {c for members in stems.values() if len(members) >= 2 for c in members}
    return [c for c in flags if c in series or any(w in normalise_header(c) for w in CAMPAIGN_WORDS)]


def id_column(columns: list[str], overrides: dict | None) -> str | None:
    """The file's customer id column: the user's mapping, else the guessed one."""
    overrides = overrides or {}
    if "customer_id" in overrides:
        return overrides["customer_id"] or None
    guessed = mapping.guess("contacts", columns).get("customer_id")
    if guessed:
        return guessed
    # One row per customer: a bare "ID" / "编号" column is the customer's.
    return next((c for c in columns if normalise_header(c) in headers.ID), None)


def unpivot(cur, table: str, columns: list[str], chosen: list[str], ident: str | None, name: str) -> list[str]:
    """Replace TEMP TABLE/VIEW `table` by its contacts: every column but the campaign columns
    (the id and other attributes), `campaign_id` and `responded`; blank cells are not contacts.
    Without an id column each source row gets a generated id. Returns the new columns."""
    missing = [c for c in chosen if c not in columns]
    if missing or not chosen:
        raise InsightError(
            msg("wide.missing_columns", columns=", ".join(missing) or "—"),
            file=name,
            hint=msg("wide.missing_columns.hint"),
        )
    if ident is not None and ident not in columns:
        raise InsightError(msg("wide.no_id_column", column=ident), file=name, column=ident, hint=msg("wide.id.hint"))
    values = ", ".join(quote(c) for c in chosen)
    generated = f", {lit(name + '#')} || _row AS {GENERATED_ID}" if ident is None else ""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE wide_source AS SELECT *{generated} FROM {table}")
    cur.execute(f"DROP VIEW IF EXISTS {table}")
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(
        f"""CREATE TEMP TABLE {table} AS
        SELECT CAST(row_number() OVER (ORDER BY _row, _k) AS BIGINT) AS _row, * EXCLUDE (_row, _k) FROM (
            SELECT *, list_position([{", ".join(lit(c) for c in chosen)}], campaign_id) AS _k
            FROM (UNPIVOT wide_source ON {values} INTO NAME campaign_id VALUE responded)
            WHERE responded IS NOT NULL AND trim(responded) <> '')"""
    )
    cur.execute("DROP TABLE wide_source")
    return (
        [c for c in columns if c not in chosen]
        + ([GENERATED_ID] if ident is None else [])
        + ["campaign_id", "responded"]
    )
