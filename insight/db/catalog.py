"""The workspace's own bookkeeping tables, created on open beside the data: versions (`_imports`),
saved column mappings, people and sessions, the audit log, saved views, schedules, deliveries,
alerts and annotations. Each table names the module that owns its rows."""

DDL = """
CREATE TABLE IF NOT EXISTS _imports (
    version INTEGER PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    physical VARCHAR,
    op VARCHAR NOT NULL,          -- replace | append | delete
    rows BIGINT,
    source_file VARCHAR,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    report JSON
);
CREATE TABLE IF NOT EXISTS _templates (
    signature VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    mapping JSON NOT NULL,
    saved_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- people (insight/auth/users.py): an argon2 hash, a role, a row scope (insight/auth/access.py), lockout
CREATE TABLE IF NOT EXISTS _users (
    name VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    scope JSON NOT NULL,
    password_hash VARCHAR,
    email VARCHAR,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
-- signed-in browsers: the SHA-256 of each session token, never the token itself
CREATE TABLE IF NOT EXISTS _sessions (
    token_hash VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS _audit_seq;
CREATE TABLE IF NOT EXISTS _audit (
    id BIGINT PRIMARY KEY DEFAULT nextval('_audit_seq'),
    "at" TIMESTAMP NOT NULL DEFAULT current_timestamp,
    who VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    what VARCHAR,
    origin VARCHAR,
    ok BOOLEAN NOT NULL DEFAULT true
);
-- saved views (insight/reports/saved.py): a page and its URL state, personal or shared, pinned
-- to a data version (`version`) or following the latest (NULL)
CREATE TABLE IF NOT EXISTS _saved_views (
    owner VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    page VARCHAR NOT NULL,
    query VARCHAR NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT false,
    version INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, name)
);
-- report schedules (insight/reports/schedule.py): `last_due` is the occurrence that last ran
CREATE TABLE IF NOT EXISTS _schedules (
    name VARCHAR PRIMARY KEY,
    view_owner VARCHAR NOT NULL,
    view_name VARCHAR NOT NULL,
    recipients JSON NOT NULL,
    every VARCHAR NOT NULL,
    at_time VARCHAR NOT NULL,
    day INTEGER,
    format VARCHAR NOT NULL,
    lang VARCHAR NOT NULL,
    run_as VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_due TIMESTAMP
);
CREATE SEQUENCE IF NOT EXISTS _schedule_runs_seq;
CREATE TABLE IF NOT EXISTS _schedule_runs (
    id BIGINT PRIMARY KEY DEFAULT nextval('_schedule_runs_seq'),
    schedule VARCHAR NOT NULL,
    due TIMESTAMP NOT NULL,
    ran_at TIMESTAMP NOT NULL,
    ok BOOLEAN NOT NULL,
    result VARCHAR
);
-- every delivery attempt of a report or an alert, failures included (insight/reports/deliver.py)
CREATE SEQUENCE IF NOT EXISTS _deliveries_seq;
CREATE TABLE IF NOT EXISTS _deliveries (
    id BIGINT PRIMARY KEY DEFAULT nextval('_deliveries_seq'),
    "at" TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    ok BOOLEAN NOT NULL,
    error VARCHAR
);
-- alert rules and their occurrences (insight/reports/alerts.py)
CREATE TABLE IF NOT EXISTS _alert_rules (
    name VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    metric VARCHAR,
    op VARCHAR,
    threshold DOUBLE,
    query VARCHAR NOT NULL,
    days INTEGER,
    owner VARCHAR NOT NULL,
    targets JSON NOT NULL,
    lang VARCHAR NOT NULL,
    muted_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS _alert_events_seq;
CREATE TABLE IF NOT EXISTS _alert_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('_alert_events_seq'),
    rule VARCHAR NOT NULL,
    "key" VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    seen_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    closed_by VARCHAR,
    value DOUBLE,
    detail JSON,
    delivered BOOLEAN NOT NULL DEFAULT false,
    attempts INTEGER NOT NULL DEFAULT 0
);
-- dated notes drawn on every time chart of their period (insight/domain/annotations.py)
CREATE SEQUENCE IF NOT EXISTS _annotations_seq;
CREATE TABLE IF NOT EXISTS _annotations (
    id BIGINT PRIMARY KEY DEFAULT nextval('_annotations_seq'),
    day DATE NOT NULL,
    end_day DATE,
    text VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
"""
