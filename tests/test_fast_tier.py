"""The fast tier's guard (`tests/fast_tier.py`) does what `make test-fast` relies on: a test
that opens a database or starts a process fails under `--fast`, and the tests that take a
database from the fixtures are deselected, not run."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SLOW = """
import sqlite3
import subprocess

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    return request.param


def test_opens_a_database():
    sqlite3.connect(":memory:")


def test_starts_a_process():
    subprocess.run(["true"], check=True)


def test_pure():
    assert 1 + 1 == 2


def test_with_a_database(db_url):
    assert db_url


@pytest.mark.parametrize("store", ["memory", "sqlite", "postgresql"])
def test_on_each_store(store):
    assert store
"""


def test_fast_fails_a_database_or_a_process_and_deselects_the_fixtures(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_tier=SLOW)
    result = pytester.runpytest_inprocess("-p", "tests.fast_tier", "--fast")
    # run: the pure test and the memory store; failed: the database and the process;
    # deselected: the two db_url runs and the two SQL stores
    result.assert_outcomes(passed=2, failed=2, deselected=4)
    result.stdout.fnmatch_lines(["*a fast-tier test opened a SQLite database*",
                                 "*a fast-tier test started a process*"])


def test_without_fast_the_guard_stays_out_of_the_way(pytester: pytest.Pytester,
                                                     request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--fast"):
        pytest.skip("this session runs under --fast: its own guard refuses the inner run's "
                    "database and process")
    pytester.makepyfile(test_tier=SLOW)
    result = pytester.runpytest_inprocess("-p", "tests.fast_tier")
    result.assert_outcomes(passed=8)
