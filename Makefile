# The two commands a new user types (README): `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
REPORT_ARGS ?=
BENCH_ARGS ?=
QUARTER ?= $(shell $(PYTHON) -c "import datetime as d; t=d.date.today(); print(f'{t.year}Q{(t.month-1)//3+1}')")

.PHONY: report test lint lab bench clean install dev i18n i18n-lang

$(BIN)/python:
	$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11) and 'Python 3.11+ is needed')"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

# one pip run for both (the package and its dev extras): a second run re-resolves and rebuilds it
$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

report: $(VENV)/.installed  ## set up and run the main job on the bundled data
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || echo "chromium could not be installed: the briefs are published without PDFs"
	$(BIN)/forecast report --quarter $(QUARTER) $(REPORT_ARGS)

test: $(VENV)/.dev-installed  ## set up and run the whole test suite (lint and type check first)
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || echo "chromium could not be installed: tests/test_browser.py will be skipped"
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n 2 --dist loadfile  # two workers; a file's tests (and its fixtures) on one

lint: $(VENV)/.dev-installed  ## ruff (lint and format) and mypy, as CI runs them
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

lab: $(VENV)/.installed  ## open JupyterLab in the same environment
	$(BIN)/jupyter lab notebooks/

LOCALE := src/forecast/report/pages/locale
# the catalogues' command through its function: `python -m` on a module its package already imports warns
CATALOGUES := $(BIN)/python -c 'import sys; from forecast.report.pages.catalogues import main; sys.exit(main(sys.argv[1:]))'

i18n: $(VENV)/.installed  ## catalogues: add the ids the code uses (empty), write the template, compile, list what is untranslated
	$(CATALOGUES) update || true
	$(BIN)/pybabel compile -d $(LOCALE) -D forecast --statistics
	$(CATALOGUES) check

i18n-lang: $(VENV)/.installed  ## a new language's catalogue from the template: make i18n-lang NEW=fr
	@test -n "$(NEW)" || { echo "usage: make i18n-lang NEW=<language code, e.g. fr>"; exit 2; }
	$(CATALOGUES) update || true
	$(BIN)/pybabel init -i $(LOCALE)/forecast.pot -d $(LOCALE) -D forecast -l $(NEW) -w 0

# The peers have a venv of their own: statsforecast requires pandas < 3, and installed into .venv it
# would take the users' pandas down a major version under `make report` and `make test`.
BENCH_VENV ?= .venv-bench
BENCH_BIN  := $(BENCH_VENV)/bin

$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11) and 'Python 3.11+ is needed')"
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_BIN)/python -m pip install -q --upgrade pip
	$(BENCH_BIN)/python -m pip install -q -e '.[bench]'
	touch $@

# the peers' benchmarks run in .venv-bench, the report's and the import's in .venv (the users' pandas)
bench: $(VENV)/.installed $(BENCH_VENV)/.installed  ## run the benchmarks (the statsforecast peers in .venv-bench) and print their figures; BENCH_ARGS="report --skip-all" for the default report only
	FORECAST_PYTHON=$(abspath $(BIN))/python $(BENCH_BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache
