# Every target creates .venv on first use and installs the project into it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint typecheck bench clean sysdeps compiled

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

# The tests run on the compiled core (make compiled) a second time: the engine, the mechanisms,
# the five packs, the properties and the state codec. Without a build, the pure run is all.
COMPILED_TESTS := tests/test_compiled.py tests/packs tests/mechanisms tests/test_properties.py \
	tests/test_wake.py tests/test_engine_mechanisms.py tests/test_extension_point.py \
	tests/test_interest.py tests/store/test_codec.py tests/store/test_equivalence.py \
	tests/store/test_pipeline.py
COMPILED_SOURCES := $(shell sed -n '/^\[tool.termline.compiled\]/,/^]/s/^ *"\(src\/.*\.py\)",$$/\1/p' pyproject.toml)

build/compiled/manifest.json: $(COMPILED_SOURCES) pyproject.toml compile_core.py | $(STAMP)
	$(BIN)/python compile_core.py

# Opt-in: mypyc (with mypy, pinned in [dev]) and a C compiler build the pure core's hot modules
# into build/compiled/; termline then imports them unless TERMLINE_PURE=1.
compiled: build/compiled/manifest.json

# Two processes by default (pytest-xdist): the machines this runs on have two cores, and many
# tests wait on servers, databases and subprocesses. Each test has its own files, schema and
# ports, so any order and any split is safe. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: $(STAMP) sysdeps
	TERMLINE_PURE=1 $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS)
	@if [ -f build/compiled/manifest.json ]; then \
		$(MAKE) --no-print-directory compiled && \
		TERMLINE_EXPECT_COMPILED=1 $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) \
			$(COMPILED_TESTS); \
	else echo "make test: no compiled core (make compiled builds it): the pure run is the test"; fi

# The fast tier: the pure domain, the packs, the policy tooling and the use cases on the
# in-memory fakes. `--fast` (tests/fast_tier.py) deselects the database runs and fails any
# test here that opens a database or starts a process. Left to `make test`: tests/store,
# tests/service, tests/documents (PDF, Peppol), the CLI tours, the long fuzzing and the compiled
# core's checks (they start processes when a build exists).
SLOW_FILES := tests/test_readme_tour.py tests/test_bench_growth.py tests/test_bench_writer_bound.py \
	tests/test_bench_step_instructions.py tests/test_bench_store_instructions.py \
	tests/test_bench_commit_floor.py \
	tests/test_fuzz_inputs.py \
	tests/test_no_tracebacks.py tests/test_compiled.py
FAST := tests/mechanisms tests/packs tests/contract tests/usecases \
	$(filter-out $(SLOW_FILES),$(wildcard tests/test_*.py)) \
	--deselect tests/test_extension_point.py::test_running_without_installed_mechanisms_is_a_clear_error

test-fast: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider --fast $(FAST)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench compile_core.py
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy --strict compile_core.py

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py
	mkdir -p out
	$(BIN)/termline bench --contracts 20000 --days 90 --db sqlite:///out/bench.db
	$(BIN)/python bench/growth.py --sizes 5000,20000 --workers 1 --db out/growth.db

clean:
	rm -rf $(VENV) out .pytest_cache build
