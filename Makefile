# beancan — two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

.PHONY: run test lint bench install browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

install: $(STAMP)

# Until the live service exists: generate the demo export and audit it.
run: install
	@mkdir -p $(OUT)
	$(BIN)/beancan demo --out $(OUT)/demo-export.csv
	$(BIN)/beancan audit $(OUT)/demo-export.csv --json $(OUT)/demo-audit.json --html $(OUT)/demo-audit.html

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: browser tests will be skipped (fail under CI=true)"; }

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: install browser lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench.bench_sentiment
	$(BIN)/python -m bench.bench_audit

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache bench/data
