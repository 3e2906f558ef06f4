"""Map source headers onto canonical columns: synonyms first, saved templates over them."""

from __future__ import annotations

import hashlib

from insight.errors import InsightError
from insight.schema import TABLES, columns, normalise_header

#: Words that prefix many export headers ("Ticket Priority", "客户等级"); dropped on a second pass.
_PREFIXES = ("ticket", "customer", "order", "invoice", "product", "campaign", "contact", "客户", "订单", "工单")


def guess(table: str, headers: list[str]) -> dict[str, str]:
    """{canonical: source} for every canonical column a header names; one source per column."""
    if table not in TABLES:
        raise InsightError(f"unknown table {table!r}", hint=f"use one of {', '.join(TABLES)}")
    names = {c.name: {normalise_header(c.name), *map(normalise_header, c.synonyms)} for c in columns(table)}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for strip_prefix in (False, True):
        for header in headers:
            if header in used:
                continue
            key = normalise_header(header)
            if strip_prefix:
                key = next((key[len(p) :] for p in _PREFIXES if key.startswith(p) and len(key) > len(p)), None)
                if key is None:
                    continue
            for canonical, words in names.items():
                if canonical not in mapping and key in words:
                    mapping[canonical] = header
                    used.add(header)
                    break
    return mapping


def signature(table: str, headers: list[str]) -> str:
    """Same table and same header set => same template, whatever the column order."""
    text = table + "\x1f" + "\x1f".join(sorted(normalise_header(h) for h in headers))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def validate(table: str, mapping: dict[str, str], headers: list[str], file: str | None = None) -> dict[str, str]:
    """Drop empty choices; refuse unknown canonical or source names and a source used twice."""
    known = {c.name for c in columns(table)}
    clean = {k: v for k, v in mapping.items() if v not in (None, "")}
    for canonical, source in clean.items():
        if canonical not in known:
            raise InsightError(
                f"{table} has no column {canonical!r}",
                file=file,
                hint=f"map onto one of: {', '.join(sorted(known))}",
            )
        if source not in headers:
            raise InsightError(
                f"the file has no column {source!r} to map onto {canonical}",
                file=file,
                column=source,
                hint=f"the file's columns are: {', '.join(headers)}",
            )
    seen: dict[str, str] = {}
    for canonical, source in clean.items():
        if source in seen:
            raise InsightError(
                f"column {source!r} is mapped twice, to {seen[source]} and to {canonical}",
                file=file,
                column=source,
                hint="map each source column onto one canonical column",
            )
        seen[source] = canonical
    return clean
