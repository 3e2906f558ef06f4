"""User text is data: one helper makes any value safe to show where Streamlit renders Markdown.

File and column names, cell values, campaign and customer names, ticket texts and URL values reach
`st.markdown`, `st.warning`, `st.caption`, labels and help texts, all of which render Markdown (links,
images, `:red[...]` colour directives, `:material/...:` icons, `$…$` LaTeX) and some HTML. Every
ASCII punctuation character is backslash-escaped (CommonMark allows escaping any of them), so no
construct can start, and line breaks become spaces so a value cannot open a new block. GitHub's
autolinks (`https://…`, `www.…`, `name@host`) are found in the text *after* escapes are resolved,
so a zero-width space breaks them up (`https:​//`, `www​.`, `@​`): shown, they read the same.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
ZERO_WIDTH = "\u200b"


def md(value: object) -> str:
    """`value` as literal text inside Markdown: no link, image, HTML, directive or block."""
    text = "" if value is None else str(value)
    text = _AUTOLINK.sub(ZERO_WIDTH, _LINE_BREAKS.sub(" ", text))
    return _PUNCTUATION.sub(r"\\\1", text)
