# Two commands do everything on a fresh machine:  make run  /  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast install migrate lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_CONN_MAX_AGE=0 $(BIN)/pytest  # live-server threads must not keep connections past a test
	GRAPHQL_COMPILED_PLANS=0 $(BIN)/pytest -q tests/schema  # the API's tests on graphql-core's executor too

# The same without the browser tests (tests/browser, headless Chromium): about a minute less.
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_CONN_MAX_AGE=0 $(BIN)/pytest -m "not browser"

# Throughput benchmark (issues 4 and 12): gunicorn + wrk on 127.0.0.1; writes bench/results.md and the README.
# BENCH_ARGS=--quick: a 1-round smoke test that publishes nothing; BENCH_ARGS="--database postgres": see README.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
