# beancan — two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

.PHONY: run audit-demo test lint bench train install ml browser wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml setup.py src/beancan/care/_textkernel.c | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,train]"
	touch $(STAMP)

install: $(STAMP)

# The optional `ml` extra (similar conversations): torch's CPU build first (this machine keeps
# its wheel on disk; elsewhere pip would take a CUDA build of several GB), then the extra.
TORCH ?= torch==2.13.0
ML_STAMP := $(VENV)/.ml-installed
$(ML_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[ml]"
	touch $(ML_STAMP)

ml: $(ML_STAMP)

PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

# The service on the embedded SQLite database: migrate, the demo workspace and its agents (logins
# printed), then the web server, the worker and the demo replay (conversations keep arriving).
run: install
	$(BIN)/beancan serve --demo

# The offline audit of the demo export (what `make run` did before the service existed).
audit-demo: install
	@mkdir -p $(OUT)
	$(BIN)/beancan demo --out $(OUT)/demo-export.csv
	$(BIN)/beancan audit $(OUT)/demo-export.csv --json $(OUT)/demo-audit.json --html $(OUT)/demo-audit.html

# Debian's Chromium for the browser tests (Playwright cannot download browsers here), and
# axe-core from npm for the accessibility test.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: browser tests will be skipped (fail under CI=true)"; }
	@test -f tests/a11y/node_modules/axe-core/axe.min.js || { \
	  echo "installing axe-core (npm) for the accessibility test"; \
	  { command -v npm >/dev/null || (apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null); } && \
	  npm ci --prefix tests/a11y --no-audit --no-fund >/dev/null \
	  || echo "could not install axe-core: the accessibility test will be skipped (fail under CI=true)"; }

# wrk for the inbox load benchmark (Debian's package).
wrk:
	@command -v wrk >/dev/null || { \
	  echo "installing Debian's wrk for the inbox benchmark"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || { echo "could not install wrk: the inbox benchmark needs it"; exit 1; }; }

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# The whole suite on SQLite, then every database test again on PostgreSQL.
test: install ml browser lint
	$(BIN)/pytest -q
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)').close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -m db -p no:cacheprovider; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL not reachable at $(PG_TEST_URL)"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): database tests ran on SQLite only"; fi

# Rebuild the shipped triage model from TweetEval and the care labels (train/README.md).
train: install
	$(BIN)/python train/train_triage.py

bench: install ml wrk
	$(BIN)/python -m bench.bench_sentiment
	$(BIN)/python -m bench.bench_triage
	$(BIN)/python -m bench.bench_triage_cli
	$(BIN)/python -m bench.bench_audit --repeat 3
	$(BIN)/python -m bench.bench_audit_memory
	$(BIN)/python -m bench.bench_ingest
	$(BIN)/python -m bench.bench_realtime
	$(BIN)/python -m bench.bench_inbox
	$(BIN)/python -m bench.bench_similar

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache bench/data
