"""Print a report document to PDF or PNG with Debian's Chromium, driven by Playwright.

One renderer for both formats, and the text stays text: a PDF's figures can be searched, copied
and read back (`pdftotext`), and Chinese is drawn with the Noto CJK fonts the system provides.
Playwright's synchronous API refuses to run inside an asyncio loop (the Streamlit server has
one), so printing happens on a worker thread of its own, one document at a time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from insight import settings
from insight.errors import InsightError
from insight.i18n import msg

FORMATS = ("pdf", "png", "html")
#: The PNG is as wide as the document (its charts are 700 px) and drawn at twice the pixels.
_VIEWPORT = {"width": 760, "height": 1000}
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-printer")


def render(document: str, fmt: str) -> bytes:
    """The document (self-contained HTML) as `fmt`: pdf, png or html."""
    if fmt not in FORMATS:
        raise InsightError(msg("report.format", fmt=fmt, formats=", ".join(FORMATS)))
    if fmt == "html":
        return document.encode("utf-8")
    return _WORKER.submit(_print, document, fmt).result()


def _print(document: str, fmt: str) -> bytes:
    from playwright.sync_api import Error, sync_playwright

    timeout = settings.REPORT_TIMEOUT_S * 1000
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=settings.CHROMIUM, args=settings.CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=_VIEWPORT, device_scale_factor=2 if fmt == "png" else 1)
                page.route("**/*", lambda route: route.abort())  # the document needs no network
                page.set_content(document, wait_until="load", timeout=timeout)
                page.wait_for_selector("body[data-ready]", state="attached", timeout=timeout)
                if fmt == "pdf":
                    return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                return page.screenshot(full_page=True, type="png")
            finally:
                browser.close()
    except Error as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InsightError(msg("report.print_failed", detail=detail), hint=msg("report.print_failed.hint")) from None
