# SMP Clinic: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# pytest-xdist workers; browser tests share one live server per worker.
TEST_WORKERS ?= 2

.PHONY: run test lint format setup deps deps-dev assets env migrate seed lock bench clean help

help:
	@echo "make run    - install, migrate, load the demo clinic and serve web + Celery worker + beat (WEB_PORT=8000)"
	@echo "make test   - the whole test suite against PostgreSQL and Redis"
	@echo "make lint   - ruff (lint + format check) and makemigrations --check"
	@echo "make bench  - load benchmarks (see docs/benchmarks.md)"

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SMP Clinic needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a lock file changes.
$(VENV)/.deps-base: requirements/base.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.deps-dev: requirements/base.txt requirements/dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@touch $@ $(VENV)/.deps-base

deps: $(VENV)/.deps-base
deps-dev: $(VENV)/.deps-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

assets: node_modules/.package-lock.json
	@test -f static/vendor/htmx/htmx.min.js || npm run postinstall

env: $(BIN)/activate
	@$(PY) scripts/write_env.py

setup: deps assets env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

run: setup
	$(BIN)/honcho start -f Procfile.dev

test: deps-dev assets
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: deps-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# An in-memory database: the check compares models with migration files and needs no server.
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=smp_clinic.settings_test $(PY) manage.py makemigrations --check --dry-run

format: deps-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: | $(BIN)/activate
	$(BIN)/pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o dev.txt dev.in

# Needs PostgreSQL (DATABASE_URL's server), redis-server and wrk; writes docs/benchmarks.md.
# BENCH_PAGES_ARGS="--sizes 1000" for a quick run of the page benchmark.
bench: deps-dev
	$(PY) bench/outbox_throughput.py --write
	$(PY) bench/pages.py --write $(BENCH_PAGES_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
