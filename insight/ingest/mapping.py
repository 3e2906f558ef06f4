"""Map source headers onto canonical columns, and say where each guess came from.

In order: a mapping saved for the same header set (template); a known synonym of the column
(synonym); a header that names the role with extra words, confirmed by its values where the
role has a type (header words, see `insight/ingest/headers.py`); then, for a required column still
empty, the one column whose values fit it (values). Each guess carries its evidence; a role with
weak or ambiguous evidence stays empty, and the reason is given instead, because a wrong guess is
worse than none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from insight import settings
from insight.db.schema import BOOL, DATE, ID, INTEGER, NUMBER, TABLES, TEXT, column, columns, normalise_header, required
from insight.db.workspace import quote
from insight.errors import InsightError
from insight.i18n import Message, msg
from insight.ingest import coerce, headers

#: Words that prefix many export headers ("Ticket Priority", "客户等级"); dropped on a second pass.
_PREFIXES = ("ticket", "customer", "order", "invoice", "product", "campaign", "contact", "客户", "订单", "工单")
#: Required columns a table can do without (it stands in for them): never guessed from values.
STAND_INS = {"contacts": {"customer_id", "campaign_id"}, "tickets": {"created_at"}}
SAMPLE = "guess_sample"
#: Share of a header-word guess's values that must fit its type.
CONFIRM_SHARE = 0.8


@dataclass(frozen=True)
class Guess:
    source: str
    how: str  # template | synonym | header | values
    evidence: Message


@dataclass
class Proposal:
    mapping: dict[str, str]
    guesses: dict[str, Guess] = field(default_factory=dict)
    missing: dict[str, Message] = field(default_factory=dict)  # required columns left empty, and why

    def describe(self) -> dict:
        return {
            "guesses": {
                c: {"source": g.source, "how": g.how, "evidence": str(g.evidence)} for c, g in self.guesses.items()
            },
            "not_guessed": {c: str(m) for c, m in self.missing.items()},
        }


def guess(table: str, headers_: list[str]) -> dict[str, str]:
    """{canonical: source} from headers alone (synonyms, then header words); one source per column."""
    return {c: g.source for c, g in _from_headers(table, headers_).items()}


def propose(cur, raw: str, table: str, headers_: list[str], template: dict | None = None) -> Proposal:
    """The mapping for the file in TEMP table `raw`, each guess with its evidence."""
    if table not in TABLES:
        raise InsightError(msg("import.unknown_table", table=table), hint=msg("import.unknown_table.hint"))
    if template is not None:
        kept = {k: v for k, v in template.items() if v in headers_}
        return Proposal(kept, {c: Guess(s, "template", msg("map.template")) for c, s in kept.items()})
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {SAMPLE} AS SELECT * FROM {raw} LIMIT {settings.GUESS_SAMPLE_ROWS}")
    found = _from_headers(table, headers_)
    out = Proposal({})
    for canonical, g in found.items():
        confirmed, problem = _confirm(cur, table, canonical, g)
        if confirmed is not None:
            out.guesses[canonical] = confirmed
        elif column(table, canonical).required:
            out.missing[canonical] = problem
    used = {g.source for g in out.guesses.values()}
    for canonical in required(table):
        if canonical in out.guesses or canonical in STAND_INS.get(table, ()):
            continue
        if (table, canonical) == ("orders", "amount") and {"quantity", "unit_price"} <= out.guesses.keys():
            continue  # derived
        rest = [h for h in headers_ if h not in used]
        g, problem = _from_values(cur, table, canonical, rest)
        if g is not None:
            out.guesses[canonical] = g
            used.add(g.source)
            out.missing.pop(canonical, None)
        else:
            out.missing.setdefault(canonical, problem)
    out.mapping = {c: g.source for c, g in out.guesses.items()}
    return out


def _from_headers(table: str, headers_: list[str]) -> dict[str, Guess]:
    cols = columns(table)
    names = {c.name: {normalise_header(c.name), *map(normalise_header, c.synonyms)} for c in cols}
    out: dict[str, Guess] = {}
    used: set[str] = set()
    for strip_prefix in (False, True):
        for header in headers_:
            if header in used:
                continue
            key = normalise_header(header)
            if strip_prefix:
                key = next((key[len(p) :] for p in _PREFIXES if key.startswith(p) and len(key) > len(p)), None)
                if key is None:
                    continue
            for canonical, words in names.items():
                if canonical not in out and key in words:
                    out[canonical] = Guess(header, "synonym", msg("map.synonym", header=header))
                    used.add(header)
                    break
    scored = []
    for canonical, role in headers.ROLES.get(table, {}).items():
        if canonical in out:
            continue
        for i, header in enumerate(headers_):
            if header not in used and (m := headers.match(role, header)):
                scored.append((-m.score, i, canonical, header, m))
    for _, _, canonical, header, m in sorted(scored):
        if canonical not in out and header not in used:
            evidence = msg("map.words", header=header, words=", ".join(f"'{w}'" for w in m.words))
            out[canonical] = Guess(header, "header", evidence)
            used.add(header)
    return out


def _confirm(cur, table: str, canonical: str, g: Guess) -> tuple[Guess | None, Message | None]:
    """The guess, with its values' evidence added, when they bear it out; else None and why not."""
    kind = column(table, canonical).kind
    src = quote(g.source)
    if canonical == "campaign_id":
        # A bare "campaign" header over whole numbers is a count of calls (bank telemarketing), not an id.
        words, chinese = headers.split(g.source)
        if not (set(words) & headers.ID) and not any(w in chinese for w in headers.ID if not w.isascii()):
            low, high, all_whole = cur.execute(
                f"SELECT min(v), max(v), count(*) = count(v) FROM (SELECT TRY_CAST({coerce.clean_text(src)} AS BIGINT) "
                f"AS v FROM {SAMPLE} WHERE {coerce.clean_text(src)} IS NOT NULL)"
            ).fetchone()
            if all_whole and low is not None:
                return None, msg("map.count_not_id", header=g.source, low=low, high=high, column=canonical)
    if g.how != "header" or kind not in (DATE, NUMBER, INTEGER, BOOL):
        return g, None
    share, _ = _fit(cur, src, kind)
    if share < CONFIRM_SHARE:
        return None, msg("map.weak_values", header=g.source, share=f"{share:.0%}", column=canonical)
    return Guess(g.source, g.how, msg("map.words_values", words=g.evidence, share=f"{share:.0%}")), None


def _fit(cur, src: str, kind: str) -> tuple[float, str | None]:
    """The share of the sample's non-blank values of `src` that read as `kind`, and the date family."""
    s = coerce.clean_text(src)
    if kind == DATE:
        family, seen, _ = coerce.choose_date_family(cur, SAMPLE, src)
        if not seen or family is None:
            return 0.0, None
        read = cur.execute(f"SELECT count({coerce.date_expr(src, family)}) FROM {SAMPLE}").fetchone()[0]
        return read / seen, family.name
    if kind in (NUMBER, INTEGER):
        row = cur.execute(f"SELECT count({s}), count({coerce.number_expr(src)}) FROM {SAMPLE}").fetchone()
    else:
        row = cur.execute(f"SELECT count({s}), count({coerce.value_expr(src, BOOL)}) FROM {SAMPLE}").fetchone()
    return (row[1] / row[0] if row[0] else 0.0), None


def _from_values(cur, table: str, canonical: str, candidates: list[str]) -> tuple[Guess | None, Message]:
    """The one unmapped column whose values fit a required column, or why there is none."""
    kind = column(table, canonical).kind
    fits = []
    for header in candidates:
        evidence = _value_evidence(cur, quote(header), kind)
        if evidence is not None:
            fits.append((header, evidence))
    if len(fits) == 1:
        header, evidence = fits[0]
        return Guess(header, "values", msg("map.values", header=header, evidence=evidence)), msg("map.none")
    if len(fits) > 1:
        names = ", ".join(f"'{h}'" for h, _ in fits[:6])
        return None, msg("map.ambiguous", column=canonical, columns=names)
    return None, msg("map.none_fits", column=canonical, kind=kind)


def _value_evidence(cur, src: str, kind: str) -> Message | None:
    s = coerce.clean_text(src)
    n, distinct, numbers, whole, typed_text = cur.execute(
        f"SELECT count({s}), count(DISTINCT {s}), count({coerce.number_expr(src)}), "
        f"count(CASE WHEN {coerce.number_expr(src)} = round({coerce.number_expr(src)}) THEN 1 END), "
        f"count(CASE WHEN regexp_matches({s}, '[A-Za-z\u4e00-\u9fff]') THEN 1 END) FROM {SAMPLE}"
    ).fetchone()
    rows = cur.execute(f"SELECT count(*) FROM {SAMPLE}").fetchone()[0]
    if n == 0 or n < rows * settings.GUESS_MIN_SHARE:
        return None
    if kind == DATE:
        share, family = _fit(cur, src, DATE)
        if share >= settings.GUESS_MIN_SHARE and numbers < n:  # plain numbers are not dates
            return msg("map.evidence.dates", share=f"{share:.0%}", count=f"{n:,}", family=family)
        return None
    if kind == NUMBER:
        money = numbers >= n * settings.GUESS_MIN_SHARE and whole < n * 0.9 and distinct > 2
        return msg("map.evidence.money", share=f"{numbers / n:.0%}", count=f"{n:,}") if money else None
    if kind == ID:
        unique = distinct >= n * settings.GUESS_MIN_SHARE and (numbers == 0 or whole == numbers)
        if unique and _fit(cur, src, DATE)[0] < 0.5:
            return msg("map.evidence.unique", distinct=f"{distinct:,}", count=f"{n:,}")
        return None
    if kind == TEXT:
        few = 2 <= distinct <= min(100, n * 0.2) and typed_text >= n * settings.GUESS_MIN_SHARE
        return msg("map.evidence.categories", distinct=f"{distinct:,}", count=f"{n:,}") if few else None
    return None


def signature(table: str, headers_: list[str]) -> str:
    """Same table and same header set => same template, whatever the column order."""
    text = table + "\x1f" + "\x1f".join(sorted(normalise_header(h) for h in headers_))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def validate(table: str, mapping: dict[str, str], headers_: list[str], file: str | None = None) -> dict[str, str]:
    """Drop empty choices; refuse unknown canonical or source names and a source used twice."""
    known = {c.name for c in columns(table)}
    clean = {k: v for k, v in mapping.items() if v not in (None, "")}
    for canonical, source in clean.items():
        if canonical not in known:
            raise InsightError(
                msg("import.unknown_column", table=table, column=canonical),
                file=file,
                hint=msg("import.unknown_column.hint", columns=", ".join(sorted(known))),
            )
        if source not in headers_:
            raise InsightError(
                msg("import.no_source", source=source, column=canonical),
                file=file,
                column=source,
                hint=msg("import.no_source.hint", columns=", ".join(headers_)),
            )
    seen: dict[str, str] = {}
    for canonical, source in clean.items():
        if source in seen:
            raise InsightError(
                msg("import.mapped_twice", source=source, first=seen[source], second=canonical),
                file=file,
                column=source,
                hint=msg("import.mapped_twice.hint"),
            )
        seen[source] = canonical
    return clean
