PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

# What each target installs into .venv (extras of pyproject.toml). The runtime itself is lean;
# `make run` adds the report chart, `make test` what the whole suite needs, `make lint` the
# linters (with charts, so mypy sees matplotlib's types), `make dev` everything.
EXTRAS_run := charts
EXTRAS_test := test,charts,e2e
EXTRAS_lint := lint,charts
EXTRAS_dev := dev

.PHONY: run test lint dev bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per set of extras, renewed when pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS_$*)]"
	touch $@

run: $(VENV)/.installed-run
	$(BIN)/mentorbot run $(if $(CONFIG),--config $(CONFIG),)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(ARGS)

lint: $(VENV)/.installed-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check bot cogs storage
	$(BIN)/mypy bot cogs storage

dev: $(VENV)/.installed-dev
	touch $(VENV)/.installed-run $(VENV)/.installed-test $(VENV)/.installed-lint

bench: $(VENV)/.installed-test
	MENTORBOT_TEST_POSTGRES_URL=$${MENTORBOT_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres} $(BIN)/python -m bench

clean:
	rm -rf $(VENV)
