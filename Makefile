# Every target creates .venv on first use and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean sysdeps

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

sysdeps:
	bash .ci/system-deps

demo: $(STAMP) sysdeps
	$(BIN)/termline demo --out out
	mkdir -p out
	$(BIN)/termline bench --contracts 2000 --days 365 --db sqlite:///out/book.db
	TERMLINE_DATABASE_URL=sqlite:///out/book.db $(BIN)/termline deadlines --on 2027-12-31 \
		--within 2d --ics out/deadlines.ics

test: $(STAMP) sysdeps
	$(BIN)/pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py
	mkdir -p out
	$(BIN)/termline bench --contracts 20000 --days 90 --db sqlite:///out/bench.db
	$(BIN)/python bench/growth.py --sizes 5000,20000 --workers 1 --db out/growth.db

clean:
	rm -rf $(VENV) out .pytest_cache
