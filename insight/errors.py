"""The one error type a person can act on."""

from __future__ import annotations


class InsightError(Exception):
    """A failure the user can fix: it names the file, the column, the rows and what to do.

    Anything else that escapes `insight/` is a bug.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.column = column
        self.rows = rows or []
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:")
        parts.append(self.message)
        if self.column:
            parts.append(f"(column {self.column!r})")
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" and {len(self.rows) - 10} more" if len(self.rows) > 10 else ""
            parts.append(f"[rows {shown}{more}]")
        text = " ".join(parts)
        if self.hint:
            text += f" — {self.hint}"
        return text

    def to_dict(self) -> dict:
        return {
            "error": self.message,
            "file": self.file,
            "column": self.column,
            "rows": self.rows[:100],
            "hint": self.hint,
        }
