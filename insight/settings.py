"""Settings in one place: each has a name, a default and the reason for it."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default workspace file; `INSIGHT_WORKSPACE` or `--workspace` overrides it.
DEFAULT_WORKSPACE = PROJECT_ROOT / "data" / "workspace.duckdb"

#: Largest upload accepted, in MB. Mirrors `server.maxUploadSize` in .streamlit/config.toml so the
#: CLI and the Data page refuse the same files.
MAX_UPLOAD_MB = 200

#: DuckDB's buffer-pool cap per process: pages over 10M orders stay within a 2 GB budget; DuckDB
#: spills to disk past it rather than failing.
DUCKDB_MEMORY_LIMIT = "1GB"

#: The currency amounts are in (ISO 4217), shown with every amount: CN¥20.3M / ¥2028.1万.
#: `INSIGHT_CURRENCY` overrides it (GBP, USD, EUR …).
CURRENCY = os.environ.get("INSIGHT_CURRENCY", "CNY")

#: Rows a single query may return to a page; more is a bug in the query, not something to render.
ROW_CAP = 200_000

#: Seconds one query may run before DuckDB is interrupted and the page says so (the 10M-order
#: pages take at most a few seconds; a query far past that is a runaway). `INSIGHT_QUERY_TIMEOUT`
#: overrides it; 0 turns the limit off.
QUERY_TIMEOUT_S = 30.0


def query_timeout() -> float:
    raw = os.environ.get("INSIGHT_QUERY_TIMEOUT", "")
    try:
        return float(raw) if raw.strip() else QUERY_TIMEOUT_S
    except ValueError:
        return QUERY_TIMEOUT_S


#: Sign-in: a session lasts this many days (a cookie in the browser, its hash in the workspace);
#: this many failed passwords in a row lock the account for LOCKOUT_MINUTES.
SESSION_DAYS = 14
LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15
#: Shortest password accepted for a local account.
MIN_PASSWORD = 8


def access_token() -> str | None:
    """`INSIGHT_ACCESS_TOKEN`: when set, `?token=<it>` signs a browser in as an administrator
    (for automation and browser tests, as Jupyter's token URLs do). Off unless set."""
    return os.environ.get("INSIGHT_ACCESS_TOKEN") or None


#: Rejected rows kept per import (shown: the first 100, downloadable: all of these).
MAX_REJECTS_KEPT = 100_000
REJECTS_SHOWN = 100

#: Physical versions kept per table, so `ds=` links keep working after a few more imports
#: without letting the workspace grow without bound.
KEEP_VERSIONS = 5

#: Rows of the file looked at to detect the encoding, delimiter and header.
SNIFF_BYTES = 256 * 1024

# --- import limits: each is checked before the work it protects, and its refusal says what to do.

#: Columns a file may have. Every column is typed and checked in SQL, and the facts copy them all;
#: a 5,000-column file exhausted memory. Real exports have well under 300.
MAX_COLUMNS = 1_000

#: Bytes one line of a text file may have (DuckDB's `max_line_size`). A longer line is an export
#: whose line ends or closing quote were lost; reading it would buffer the whole file as one value.
MAX_LINE_BYTES = 1024 * 1024

#: Cells the used range of an Excel sheet may declare. The Excel reader (calamine) allocates the
#: declared range up front, about 32 bytes a cell: a 5 KB workbook declaring the whole sheet
#: (A1:XFD1048576, 17 billion cells) asked for 512 GB and killed the process. 10M cells is a
#: 1M-row × 10-column export.
EXCEL_MAX_CELLS = 10_000_000

#: Uncompressed size of a workbook's parts (.xlsx is a zip): a few KB can unpack to gigabytes.
EXCEL_MAX_UNPACKED_MB = 1024

#: Excel sheets are read in a child process with this much address space and time, so a workbook
#: that still defeats the reader ends that process, never the server.
EXCEL_CHILD_MEMORY_MB = 3072
EXCEL_CHILD_SECONDS = 300

#: Dates outside these years are rejected per row: 9999-12-31 and 0001-01-01 are placeholders
#: for "never"/"unknown", and they broke every page (OverflowError) when they loaded.
DATE_YEARS = (1900, 2100)

#: Largest magnitude a number may have. Beyond it a double no longer holds cents, and sums over
#: millions of rows can overflow to infinity; no real amount, count or score comes near it.
MAX_ABS_NUMBER = 1e15

#: After an import, a customer-id match below this share against another table is a warning
#: ("12 of 2,240 customer ids appear in orders"): the files probably use different id schemes.
COVERAGE_WARN = 0.5

#: Column mapping from values: rows sampled per column, and the share of a column's values that
#: must fit a role (dates for a date, numbers for an amount, distinct values for an id) before it
#: is guessed. A wrong guess is worse than none, so the bar is high.
GUESS_SAMPLE_ROWS = 20_000
GUESS_MIN_SHARE = 0.95

#: Uploaded files wait in `<workspace folder>/uploads` (mode 600) until they are imported or the
#: upload is cancelled; files older than this are swept (a browser closed mid-wizard).
UPLOAD_FOLDER = "uploads"
UPLOAD_MAX_AGE_HOURS = 24

#: Rows shown in the import preview.
PREVIEW_ROWS = 50

#: SLA hours per ticket priority (on-time rate, 及时率), when a ticket has no `due_at`.
SLA_HOURS = {"urgent": 4, "high": 24, "medium": 72, "low": 120}

#: Days without an order after which a customer counts as lapsed (behavioural churn).
INACTIVITY_DAYS = 90

#: A rate over fewer than this many (customers in a churn group, controls of a campaign) is
#: flagged as too small to rank or to judge.
MIN_GROUP = 30

#: Churn: the N a user may set (`days=`), and the most distinct values an attribute may have to
#: break churn down by.
CHURN_DAYS_RANGE = (7, 730)
CHURN_MAX_LEVELS = 50

#: Churn-risk model: the customers it learns from at most, pulled from the engine as a fixed
#: sample (first by an MD5 of their ids, the same at every cutoff and engine): past this, more customers
#: add time and memory (four frames of them: three training cutoffs and the evaluation), not
#: accuracy. Every customer still here is still scored. The page says when it sampled.
CHURN_SAMPLE_CUSTOMERS = 200_000
#: Churn-risk model: training rows (customer × cutoff) a fit samples at most, the training cutoffs
#: stacked before the evaluation cutoff, the held-out share of snapshot data (no dates), the rows
#: permutation importance is scored on, and the seed.
CHURN_FIT_SAMPLE = 200_000
CHURN_TRAIN_CUTOFFS = 3
CHURN_TEST_SHARE = 0.25
CHURN_IMPORTANCE_ROWS = 5_000
CHURN_SEED = 7

#: Seed of the free-text classifier's split and sample.
TEXT_SEED = 7

#: Campaigns: days after a contact in which the customer's orders count towards the campaign
#: (`win=`), unless contacts carry their own revenue.
ATTRIBUTION_DAYS = 30

#: Free-text classifier: labelled ticket texts it is trained on at most (a seeded sample): past
#: this, more texts add time, not accuracy. Every unlabelled ticket still gets a suggestion.
TEXT_FIT_SAMPLE = 200_000
#: Text clusters: uncategorised texts the vectoriser, projection and k-means are fitted on at most
#: (a seeded sample; k-means over a million texts took minutes). Every text is then assigned.
TEXT_CLUSTER_SAMPLE = 50_000

#: Value-tier cut-offs as cumulative shares of customers ranked by revenue.
TIER_CUTOFFS = {"diamond": 0.05, "gold": 0.20, "silver": 0.50}

#: Customer lifetime value: default gross margin on revenue (editable on the Segments page,
#: `margin=` in the URL) and the yearly discount rate of future revenue.
CLV_MARGIN = 0.30
CLV_DISCOUNT = 0.10

#: Rows a target list (segment members) may export: Excel's sheet limit, rounded down.
TARGET_LIST_CAP = 1_000_000

#: Clusters: customers the k-means fit samples (every customer is then assigned), the k range
#: tried when the user sets none, and the customers the silhouette is scored on.
CLUSTER_FIT_SAMPLE = 50_000
CLUSTER_K_RANGE = (2, 8)
CLUSTER_SILHOUETTE_SAMPLE = 4_000
CLUSTER_SEED = 7

#: Ticket texts without categories are clustered into k groups to name (`k=` on Complaints): the
#: default and the range a link may ask for (the core and the page read the same range).
TEXT_CLUSTERS = 8
TEXT_CLUSTERS_RANGE = (2, 20)

#: Demo workspace size created on first start.
DEMO_CUSTOMERS = 5_000
DEMO_ORDERS = 120_000
DEMO_SEED = 7


def workspace_path(override: str | os.PathLike | None = None) -> Path:
    """The workspace file in force: the explicit override, else INSIGHT_WORKSPACE, else the default."""
    if override:
        return Path(override)
    env = os.environ.get("INSIGHT_WORKSPACE")
    return Path(env) if env else DEFAULT_WORKSPACE


#: A channel whose revenue share moves by more than this many points against the comparison
#: period raises an alert on the Overview.
CHANNEL_SHIFT_PTS = 5.0


#: Reports (insight/reports/) are printed by Debian's Chromium (`make system` installs it with
#: fonts-noto-cjk), without a sandbox since the server may run as root, within this many seconds.
CHROMIUM = os.environ.get("INSIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
REPORT_TIMEOUT_S = 120


def smtp() -> dict[str, str | int | None]:
    """Mail settings from the environment: INSIGHT_SMTP_HOST (none: e-mail is off), _PORT,
    _USER, _PASSWORD, _FROM, _TLS (`starttls`, `ssl` or `none`; by default `ssl` on port 465,
    `starttls` on 587, else none) and _CAFILE (a private CA that signs the server's certificate)."""
    env = os.environ.get
    port = int(env("INSIGHT_SMTP_PORT") or 25)
    tls = (env("INSIGHT_SMTP_TLS") or {465: "ssl", 587: "starttls"}.get(port, "none")).lower()
    return {
        "host": env("INSIGHT_SMTP_HOST") or None,
        "port": port,
        "user": env("INSIGHT_SMTP_USER") or None,
        "password": env("INSIGHT_SMTP_PASSWORD") or None,
        "from": env("INSIGHT_SMTP_FROM") or env("INSIGHT_SMTP_USER") or "insight@localhost",
        "tls": tls,
        "cafile": env("INSIGHT_SMTP_CAFILE") or None,
    }


def base_url() -> str:
    """INSIGHT_BASE_URL: the app's address as readers reach it (https://insight.example.com), so a
    report's "open in the app" is a whole link; without it the link is the page and its query."""
    return os.environ.get("INSIGHT_BASE_URL", "").strip().rstrip("/")


#: Seconds an SMTP server or a webhook may take to answer a delivery.
DELIVERY_TIMEOUT_S = 20
#: Delivery attempts of one alert occurrence (one per check) before it is left as failed.
ALERT_ATTEMPTS = 3
#: An alert rule on a metric looks at the last N days of its data unless its link sets a period.
ALERT_DAYS = 30
#: While the app serves a workspace it runs the due report schedules itself, this often
#: (INSIGHT_SCHEDULER=0 turns that off, e.g. where cron runs `schedule run-due` instead).
SCHEDULER_INTERVAL_S = 60


def scheduler_on() -> bool:
    return os.environ.get("INSIGHT_SCHEDULER", "1") != "0"


def warm_on() -> bool:
    """Whether the serving app computes each page's default view at start (insight/serve.py), so
    the first visitor finds it ready (INSIGHT_WARM=0 turns that off: tests, where it is wasted)."""
    return os.environ.get("INSIGHT_WARM", "1") != "0"


#: The engine pages run their queries on: `duckdb` (the default, embedded) or `spark` (a local
#: Spark session, or a cluster through Spark Connect; see insight/db/spark.py). `INSIGHT_ENGINE`
#: or `--engine` sets it.
ENGINES = ("duckdb", "spark")


def engine() -> str:
    value = os.environ.get("INSIGHT_ENGINE", "duckdb").strip().lower() or "duckdb"
    if value not in ENGINES:
        from insight.errors import InsightError
        from insight.i18n import msg

        raise InsightError(msg("engine.unknown", engine=value, engines=", ".join(ENGINES)))
    return value


def spark_remote() -> str | None:
    """`INSIGHT_SPARK_REMOTE=sc://host:15002`: a Spark Connect server; unset, a local session."""
    return os.environ.get("INSIGHT_SPARK_REMOTE", "").strip() or None


#: The local Spark session's master (`INSIGHT_SPARK_MASTER`; the tests use local[2]) and its
#: shuffle partitions: the default 200 makes every small query pay for 200 empty tasks.
SPARK_MASTER = "local[*]"
SPARK_PARTITIONS = 8


def spark_master() -> str:
    return os.environ.get("INSIGHT_SPARK_MASTER", "").strip() or SPARK_MASTER


def lake_path(workspace: Path) -> Path:
    """Where each data version is kept as Parquet for Spark: `INSIGHT_LAKE`, else a folder beside
    the workspace file (`data/workspace.lake/`). Layout: `<lake>/<table>/v<version>/*.parquet`."""
    env = os.environ.get("INSIGHT_LAKE", "").strip()
    return Path(env) if env else workspace.with_suffix(".lake")
