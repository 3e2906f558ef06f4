"""The string catalog: every UI text in English and 简体中文, read from the data files
`insight/catalog/en.toml` and `zh.toml` (one per language, the same keys). Pages never hard-code
text; the core returns `Message` values (a key and its values) that the UI translates."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

LANGS = {"en": "English", "zh": "简体中文"}
DEFAULT_LANG = "en"
CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def read_catalog(folder: Path = CATALOG_DIR) -> dict[str, tuple[str, str]]:
    """`{key: (english, chinese)}` from the language files; a key one language lacks is an error
    that names it."""
    files = {lang: tomllib.loads((folder / f"{lang}.toml").read_text(encoding="utf-8")) for lang in LANGS}
    en, zh = files["en"], files["zh"]
    if set(en) != set(zh):
        raise ValueError(f"catalog keys in one language only: {sorted(set(en) ^ set(zh))}")
    return {key: (en[key], zh[key]) for key in en}


CATALOG: dict[str, tuple[str, str]] = read_catalog()


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text of `key` in `lang`, with `{name}` placeholders filled in (values that are
    themselves messages are translated too)."""
    en, zh = CATALOG[key]
    template = zh if lang == "zh" else en
    if not values:
        return template
    return template.format(**{k: text(v, lang) if isinstance(v, Message) else v for k, v in values.items()})


@dataclass(frozen=True)
class Message:
    """A user-facing text from the core: a catalog key and its values, translated where it is shown.

    The core (notes, warnings, errors) returns messages, never finished sentences, so a Chinese
    user reads Chinese. `str()` gives the English text (logs, the CLI)."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **dict(self.values))

    def markdown(self, lang: str = DEFAULT_LANG) -> str:
        """The text for an element that renders Markdown: the catalog template as written, the
        values (user text: file, column and cell values, URL values) escaped."""
        from insight.escape import md

        values = {k: v.markdown(lang) if isinstance(v, Message) else md(v) for k, v in self.values}
        en, zh = CATALOG[self.key]
        return (zh if lang == "zh" else en).format(**values)

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def msg(key: str, **values) -> Message:
    """`msg("note.undated", count=12)`: a message whose key must be in the catalog."""
    if key not in CATALOG:
        raise KeyError(f"{key!r} is not in the catalog")
    return Message(key, tuple(sorted(values.items())))


#: Kinds of notes the core gives a page, from the first part of the message key: `ignored` (a URL
#: value that was not used), `period` (which period is in force and why), `coverage` (how many
#: rows link between tables where that changes a figure), `data` (what the data lacks). A plain
#: string (a value of the data) is shown as data.
NOTE_KINDS = ("ignored", "period", "coverage", "data")


def note_kind(item: str | Message) -> str:
    if isinstance(item, Message):
        kind = item.key.split(".", 1)[0]
        return kind if kind in NOTE_KINDS else "data"
    return "data"


def text(item: str | Message | None, lang: str = DEFAULT_LANG, *, markdown: bool = False) -> str:
    """A message in `lang`; plain strings (data, or text not yet in the catalog) pass through.
    With `markdown=True` the result is safe in a Markdown-rendering element: a message's values
    are escaped, a plain string wholly."""
    if item is None:
        return ""
    if isinstance(item, Message):
        return item.markdown(lang) if markdown else item.text(lang)
    if markdown:
        from insight.escape import md

        return md(item)
    return str(item)


def column_label(column: str, lang: str = DEFAULT_LANG, prefix: str | None = None) -> str:
    """A table column's title: `{prefix}.{column}`, else the shared `col.`, `metric.` or `dim.`
    text; a column the catalog does not know (a user's own) keeps its name."""
    for key in (f"{prefix}.{column}" if prefix else "", f"col.{column}", f"metric.{column}", f"dim.{column}"):
        if key in CATALOG:
            return t(key, lang)
    return str(column)


def value_label(column: str, value: object, lang: str = DEFAULT_LANG) -> str | None:
    """The translated label of a coded cell (`val.status.open`, `val.level.urgent`, a tier or RFM
    code), or None when the value is data to show as it is."""
    if isinstance(value, bool):
        return t(f"val.bool.{str(value).lower()}", lang)
    if not isinstance(value, str):
        return None
    prefix = CODED_COLUMNS.get(column)
    for key in (f"val.{column}.{value.lower()}", f"{prefix}.{value}" if prefix else ""):
        if key in CATALOG:
            return t(key, lang)
    return None


#: Columns whose values are codes with catalog labels under `{prefix}.{code}`.
CODED_COLUMNS = {
    "tier": "tier",
    "given_tier": "tier",
    "rfm": "rfm",
    "quadrant": "quadrant",
    "level": "priority",
    "priority": "priority",
    "table": "table",
    "mode": "data.mode",
    "op": "data.mode",
}
