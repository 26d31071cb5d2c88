# Aegis — `make` lists the targets. Everything runs from .venv, which `make install` builds.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install lock run stop test check lint bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## .*$$' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  %-10s %s\n", $$1, $$2}'

install: ## Install what is missing: Debian packages, .venv, the project (fast when done)
	@PYTHON=$(PYTHON) ./devstack/bootstrap.sh

lock: ## After changing dependencies: install them unpinned (dev, train), pin .venv in constraints.txt
	@[ -x $(PY) ] || { echo "no $(VENV): run make install first"; exit 1; }
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev,train]'
	@{ sed -n '/^#/p;/^#/!q' constraints.txt 2>/dev/null; \
		$(VENV)/bin/pip freeze --exclude-editable --disable-pip-version-check | grep -v ' @ '; \
	} > constraints.txt.new
	@mv constraints.txt.new constraints.txt
	@echo "constraints.txt: $$(grep -c '==' constraints.txt) packages pinned"

run: install ## Run Redis, PostgreSQL, the dev upstream, core and edge (restarting what dies); Ctrl-C stops
	$(PY) -m devstack run

stop: ## Stop what `make run` started (from another terminal)
	@if [ -x $(PY) ]; then $(PY) -m devstack stop; else echo "nothing is running"; fi

test: install ## Run the tests and docstring examples, in parallel, then the timing tests alone (PYTEST_ARGS=...; TEST_WORKERS=...; REDIS_URL/DATABASE_URL reuse servers)
	$(PY) -m devstack.testrun $(PYTEST_ARGS)

check: install ## Format check, lint and type check (ruff, mypy)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

lint: install ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install ## Run the load benchmark (BENCH_ARGS=...)
	$(PY) -m bench $(BENCH_ARGS)

clean: ## Stop a running stack, remove .run and caches
	@if [ -x $(PY) ] && [ -e .run/stack.pid -o -e .run/stack.json ]; then $(PY) -m devstack stop; fi
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
