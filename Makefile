# Two commands do everything on a fresh machine:  make run  /  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install migrate lint bench

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

# Throughput benchmark (issue 4): gunicorn + wrk on 127.0.0.1, about 3 minutes; writes bench/results.md.
# `make bench BENCH_ARGS=--quick` is a 1-round smoke test.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
