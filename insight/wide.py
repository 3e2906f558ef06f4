"""Wide response files: one row per customer and one 0/1 (yes/no …) column per campaign, as
marketing tools export them. Such a file is unpivoted into contacts — one per customer per
campaign column, the column's name as the campaign — before the usual mapping and checks, so it
imports all or nothing like any other file."""

from __future__ import annotations

from insight import mapping
from insight.errors import InsightError
from insight.workspace import quote

#: The values a response column may hold (compared lower-cased and trimmed).
RESPONSE_VALUES = {"0", "1", "yes", "no", "y", "n", "true", "false", "t", "f", "是", "否"}
MIN_COLUMNS = 2  # a single 0/1 column is a flag, not a set of campaigns


def id_column(columns: list[str], overrides: dict | None) -> str | None:
    """The file's customer id column: the user's mapping, else the guessed one."""
    chosen = (overrides or {}).get("customer_id")
    return chosen or mapping.guess("contacts", columns).get("customer_id")


def candidates(cur, table: str, columns: list[str], overrides: dict | None = None) -> list[str]:
    """Columns that hold only response values (the customer id column aside)."""
    ident = id_column(columns, overrides)
    cols = [c for c in columns if c != ident]
    if not cols:
        return []
    checks = ", ".join(
        f"bool_and(lower(trim({quote(c)})) IN ({', '.join(repr(v) for v in sorted(RESPONSE_VALUES))})) "
        f"FILTER (WHERE {quote(c)} IS NOT NULL AND trim({quote(c)}) <> '') AS {quote(c)}"
        for c in cols
    )
    row = cur.execute(f"SELECT {checks} FROM {table}").fetchone()
    found = [c for c, ok in zip(cols, row, strict=True) if ok]
    return found if len(found) >= MIN_COLUMNS else []


def unpivot(cur, table: str, columns: list[str], chosen: list[str], overrides: dict | None, name: str) -> list[str]:
    """Replace TEMP TABLE `table` by its contacts: the id column, campaign_id, responded (blank
    cells: not contacted). Returns the new columns."""
    ident = id_column(columns, overrides)
    if ident is None:
        raise InsightError(
            "a wide response file needs a customer id column", file=name, hint="map customer_id to the id column"
        )
    missing = [c for c in chosen if c not in columns]
    if missing or len(chosen) < 1:
        raise InsightError(
            f"campaign columns not in the file: {', '.join(missing) or '(none chosen)'}",
            file=name,
            hint="choose the columns that hold one campaign's responses each",
        )
    values = ", ".join(quote(c) for c in chosen)
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT CAST(row_number() OVER () AS BIGINT) AS _row, {quote(ident)}, campaign_id, responded
        FROM (UNPIVOT (SELECT {quote(ident)}, {values} FROM {table} ORDER BY _row)
              ON {values} INTO NAME campaign_id VALUE responded)
        WHERE responded IS NOT NULL AND trim(responded) <> ''"""
    )
    return [ident, "campaign_id", "responded"]
