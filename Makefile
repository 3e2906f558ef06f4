# Customer Insight — every routine task has a target. Each one sets itself up (idempotently).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8501

.PHONY: run test bench lint format system demo clean

# Debian packages the app and tests need: Chromium (browser tests, PNG export, PDF reports), CJK
# fonts, poppler-utils (the tests read reports back with pdftotext), and Java 17 for the Spark
# engine and its parity tests.
system:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 || ! command -v pdftotext >/dev/null \
		|| ! dpkg -s openjdk-17-jre-headless >/dev/null 2>&1; then \
		echo "installing chromium, fonts-noto-cjk, poppler-utils and openjdk-17-jre-headless"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils \
			openjdk-17-jre-headless >/dev/null; \
	fi

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt requirements-spark.txt $(STAMP)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(STAMP) system
	$(BIN)/python -m insight.serve --server.port $(PORT)

test: $(DEV_STAMP) system
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

bench: $(DEV_STAMP) system
	$(BIN)/python -m insight bench

demo: $(STAMP)
	$(BIN)/python -m insight demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data/*.duckdb data/*.wal
