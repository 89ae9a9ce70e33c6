# The two commands: `make run` and `make test`. Everything else helps them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/supportdesk

.PHONY: run test install lint typecheck test-postgres bench clean

$(STAMP): pyproject.toml
	@python="$$(scripts/find-python)" || exit 1; \
	[ -x $(BIN)/python ] || "$$python" -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/supportdesk migrate --noinput
	$(BIN)/supportdesk seed-demo
	$(BIN)/supportdesk serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy supportdesk

# Production settings must pass Django's deployment checks too.
DEPLOY_ENV := SUPPORTDESK_PRODUCTION=true ALLOWED_HOSTS=desk.example.com \
	SECRET_KEY=ci-only-$$(head -c 48 /dev/urandom | base64 | tr -dc A-Za-z0-9)

test: lint typecheck
	$(BIN)/supportdesk check --fail-level WARNING
	$(DEPLOY_ENV) $(BIN)/supportdesk check --deploy --fail-level WARNING
	$(BIN)/supportdesk makemigrations --check --dry-run
	$(BIN)/pytest

# Every test that touches the database, again on PostgreSQL (CI runs this
# after `make test`; the policy core needs no database).
test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest --ignore=tests/policy

bench: install
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/sla_bench.py

clean:
	rm -rf $(VENV) supportdesk.sqlite3* .mypy_cache .ruff_cache
