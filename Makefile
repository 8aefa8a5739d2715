# Every target creates .venv on first use and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck bench clean sysdeps

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

# The fast tier: the pure domain, the packs, the policy tooling and the use cases on the
# in-memory fakes. `--fast` (tests/fast_tier.py) deselects the database runs and fails any
# test here that opens a database or starts a process. Left to `make test`: tests/store,
# tests/service, tests/documents (PDF, Peppol), the CLI tours and the long fuzzing.
SLOW_FILES := tests/test_readme_tour.py tests/test_bench_growth.py tests/test_fuzz_inputs.py \
	tests/test_no_tracebacks.py
FAST := tests/mechanisms tests/packs tests/contract tests/usecases \
	$(filter-out $(SLOW_FILES),$(wildcard tests/test_*.py)) \
	--deselect tests/test_extension_point.py::test_running_without_installed_mechanisms_is_a_clear_error

test-fast: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider --fast $(FAST)

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
