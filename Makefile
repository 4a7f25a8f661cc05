# kefu — the tasks a developer runs. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help install run test test-fast lint bench clean

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt scripts/install-llama.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	scripts/install-llama.sh $(BIN)/pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install kefu with its pinned dependencies (builds llama.cpp once per machine)

run: install ## set up the database and the demo shop, then serve http://127.0.0.1:8000
	$(BIN)/kefu db upgrade
	$(BIN)/kefu demo --if-empty
	$(BIN)/kefu llm install
	$(BIN)/kefu serve

test: install ## every test: unit, integration (SQLite + PostgreSQL), API, browser end-to-end
	$(BIN)/pytest

test-fast: install ## the tests without the browser
	$(BIN)/pytest -m "not e2e"

lint: install ## ruff and mypy
	$(BIN)/ruff check kefu tests bench
	$(BIN)/mypy kefu

bench: install ## turn latency and throughput, in-process and over HTTP (see BENCHMARKS.md)
	$(BIN)/python bench/turn.py

clean: ## remove the virtualenv and everything kefu wrote under var/
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
