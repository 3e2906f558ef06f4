"""The one error type a person can act on."""

from __future__ import annotations

from insight.escape import md
from insight.i18n import DEFAULT_LANG, Message, t, text


class InsightError(Exception):
    """A failure the user can fix: it names the file, the column, the rows and what to do.

    Anything else that escapes `insight/` is a bug.
    """

    def __init__(
        self,
        message: str | Message,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
        hint: str | Message | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.column = column
        self.rows = rows or []
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)

    def text(self, lang: str = DEFAULT_LANG, *, markdown: bool = False) -> str:
        """The whole message in `lang` (message and hint translated where they are catalog
        messages); with `markdown=True`, safe in an element that renders Markdown (the file,
        column and values quoted in it are escaped)."""
        esc = md if markdown else str
        parts = []
        if self.file:
            parts.append(f"{esc(self.file)}:")
        parts.append(text(self.message, lang, markdown=markdown))
        if self.column:
            parts.append(t("error.column", lang, column=esc(repr(self.column))))
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = t("error.rows.more", lang, count=len(self.rows) - 10) if len(self.rows) > 10 else ""
            parts.append(t("error.rows", lang, rows=shown, more=more))
        out = " ".join(parts)
        if self.hint:
            out += f" — {text(self.hint, lang, markdown=markdown)}"
        return out

    def to_dict(self) -> dict:
        return {
            "error": str(self.message),
            "file": self.file,
            "column": self.column,
            "rows": self.rows[:100],
            "hint": None if self.hint is None else str(self.hint),
        }


class QueryTimeout(InsightError):
    """A query ran past the time limit (`settings.query_timeout()`) and was interrupted."""
