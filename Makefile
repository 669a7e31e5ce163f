# The pipeline and the checks. `make help` lists the targets.
# Set-up is automatic: every target that needs Python creates .venv from the locked,
# hashed requirements first, and re-running does not reinstall anything.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# PROJECT=dir points every target at another explainer (a folder with its own mkdocs.yml): it is
# validated, built and served, and its site/ and build/ are written inside it.
PROJECT ?=
SITE_DIR ?= $(if $(PROJECT),$(PROJECT)/site,site)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Reproducible builds: dates in the site come from the last commit, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git -C $(or $(PROJECT),.) log -1 --format=%ct 2>/dev/null || echo 0)

EXPLAINER := $(PY) -m explainer $(if $(PROJECT),--project $(PROJECT))
RUN_STAMP := $(VENV)/.installed-main
TEST_STAMP := $(VENV)/.installed-test
ZENSICAL_STAMP := $(VENV)/.installed-zensical
NODE_STAMP := node_modules/.installed
CHROMIUM ?= /usr/bin/chromium

##@ Reading and writing

help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^##@/ {printf "\n%s\n", substr($$0, 5)} /^[a-zA-Z_-]+:.*## / {printf "  make %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

serve: $(RUN_STAMP) ## Set up, build the charts and serve the site at http://127.0.0.1:8000 with live reload; PROJECT=dir serves another
	$(EXPLAINER) serve --dev-addr $(HOST):$(PORT)

build: $(RUN_STAMP) $(if $(filter zensical,$(ENGINE)),$(ZENSICAL_STAMP)) ## Build the site into site/ (strict, charts included); PROJECT=dir builds another explainer into dir/site; ENGINE=zensical builds with Zensical
	@$(if $(filter-out mkdocs zensical,$(ENGINE)),echo "ENGINE=$(ENGINE): mkdocs (the default) or zensical" >&2; exit 2)
	$(EXPLAINER) $(if $(filter zensical,$(ENGINE)),build-zensical,build) --site-dir $(SITE_DIR)

charts: $(RUN_STAMP) ## Build all charts, or the named ones: make charts IDS="robot_installations"
	$(EXPLAINER) charts $(IDS)

check-data: $(RUN_STAMP) ## Validate every dataset, the source registry and the claims ledger (PROJECT=dir: another's)
	$(EXPLAINER) check-data

##@ Checks

ifdef PROJECT
test: $(TEST_STAMP)
	$(MAKE) --no-print-directory -C $(PROJECT) test VENV=$(abspath $(VENV))
else
test: $(TEST_STAMP) $(NODE_STAMP) chromium ## Set up everything and run the whole test suite (offline), lint included; PROJECT=dir runs that explainer's own tests
	$(EXPLAINER) check-data
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest
endif

test-fast: $(TEST_STAMP) ## The edit loop's tests: all but the browser and slow ones (serve sessions, cold builds); under 3 minutes
	$(PY) -m pytest -q -m "not slow and not browser"

lint: $(TEST_STAMP) ## Check the code's style and format with ruff (`.venv/bin/ruff format .` fixes the format)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-links: $(TEST_STAMP) ## Check every internal link and anchor of the built site, offline; rebuilds a stale site first
	$(EXPLAINER) check-links $(SITE_DIR)

linkcheck: $(TEST_STAMP) ## Check every external link of the site and the registry (network; CI schedule)
	@test -d $(SITE_DIR) || $(MAKE) --no-print-directory build
	$(EXPLAINER) linkcheck $(SITE_DIR) --report $(or $(PROJECT),.)/linkcheck-report.md

# The author's edit `make bench` times: China's 2024 robot installations, shown on this page.
BENCH_EDIT ?= --edit-page two-different-roads/ --edit-file robot_installations.csv --edit-row '^(2024,China,)(\d+)(,)'

bench: $(TEST_STAMP) chromium ## Measure build times, the save-to-reload time and per-page bytes and requests
	$(EXPLAINER) bench $(BENCH_EDIT)

bench-loop: $(TEST_STAMP) ## Time the author's loop only, from outside: fresh clone, saves 6 s and 1.5 s apart, against a plain site
	$(EXPLAINER) bench --loop-only $(BENCH_EDIT) --report bench-loop-report.md

bench-scale: $(TEST_STAMP) ## Generate an explainer of N charts (N=200) and time cold build, rebuild and save-to-reload
	$(EXPLAINER) bench-scale --charts $(or $(N),200)

audit: $(TEST_STAMP) chromium lighthouse ## Run Lighthouse on every page, served gzip-compressed, and print the scores
	@test -d $(SITE_DIR) || $(MAKE) --no-print-directory build
	$(EXPLAINER) audit $(SITE_DIR)

##@ Set-up and housekeeping

setup: $(TEST_STAMP) $(NODE_STAMP) chromium ## Install everything the targets need (done on demand anyway)

lock: ## Re-resolve requirements/*.txt from requirements/*.in (needs uv; network)
	cd requirements && uv pip compile main.in --generate-hashes --python-version 3.11 --no-header -o main.txt
	cd requirements && uv pip compile test.in --generate-hashes --python-version 3.11 --no-header -o test.txt
	cd requirements && uv pip compile zensical.in --generate-hashes --python-version 3.11 --no-header -o zensical.txt

clean: ## Remove generated files (site/, build/, caches); keeps .venv
	rm -rf $(SITE_DIR) $(or $(PROJECT),.)/build .pytest_cache linkcheck-report.md .lycheecache bench-loop-report.md

$(RUN_STAMP): requirements/main.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/main.txt
	@# The engine (explainer/), importable without path edits; nothing is downloaded. (A venv made
	@# before the engine had its own name holds it as ai-roads: that copy is removed first.)
	@$(PY) -m pip uninstall --quiet --yes ai-roads > /dev/null 2>&1 || true
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --editable .
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 > /dev/null
	@touch $@

# The test suite compares the Zensical build with the MkDocs one, so it installs Zensical too.
$(TEST_STAMP): $(RUN_STAMP) $(ZENSICAL_STAMP) requirements/test.txt
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/test.txt
	@touch $@

# Zensical (Material for MkDocs' successor), for `make build ENGINE=zensical` and the tests only.
$(ZENSICAL_STAMP): $(RUN_STAMP) requirements/zensical.txt
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/zensical.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

lighthouse: tools/lighthouse/node_modules/.installed
tools/lighthouse/node_modules/.installed: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	cd tools/lighthouse && npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium for the browser tests; never a browser download.
chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium (apt)"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium > /dev/null; }

.PHONY: help serve build charts check-data test test-fast lint check-links linkcheck bench bench-loop bench-scale audit setup lock clean chromium lighthouse
