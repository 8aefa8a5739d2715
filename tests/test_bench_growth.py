"""bench/growth.py's arithmetic and table, from fixed bench reports (values worked out by hand)."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def growth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("growth", ROOT / "bench" / "growth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(db: str, workers: int, contracts: int, stored: int, wall: float) -> dict[str, Any]:
    """The keys `termline bench --json` prints that the table uses, and one it ignores."""
    return {"db": db, "workers": workers, "contracts": contracts, "days": 1,
            "contract_days_stored": stored, "actions": 2 * stored, "wall_s": wall,
            "engine_floor_ratio": 5.34, "idle_day_s": 0.0051, "load_s": 99.0}


def rows(growth: ModuleType) -> list[dict[str, Any]]:
    made = [
        # the largest first: the ratio is to the smallest book, whatever the order
        growth.row(report("sqlite", 1, 1_000_000, 334_000, 217.1), 902.6, "cmd-1m"),
        growth.row(report("sqlite", 1, 10_000, 3_259, 1.6295), 110.0, "cmd-10k"),
        growth.row(report("sqlite", 1, 100_000, 33_000, 19.8), 250.4, "cmd-100k"),
        growth.row(report("postgresql", 2, 10_000, 3_259, 3.259), 120.0, "cmd-pg"),
        growth.row(report("postgresql", 1, 10_000, 3_259, 6.518), 115.0, "cmd-pg-1"),
        growth.row(report("postgresql", 2, 100_000, 0, 0.01), 120.0, "cmd-empty"),
    ]
    growth.add_ratios(made)
    return made


def test_microseconds_per_contract_day_and_ratio_to_the_smallest_book(
        growth: ModuleType) -> None:
    by = {r["command"]: r for r in rows(growth)}
    # 1.6295 s / 3,259 = 500 µs; 19.8 s / 33,000 = 600 µs; 217.1 s / 334,000 = 650 µs
    assert [by[c]["us_per_contract_day"] for c in ("cmd-10k", "cmd-100k", "cmd-1m")] == \
        [500.0, 600.0, 650.0]
    assert [by[c]["ratio_to_smallest"] for c in ("cmd-10k", "cmd-100k", "cmd-1m")] == \
        [1.0, 1.2, 1.3]
    # another database and worker count is its own series: 3.259 s / 3,259 = 1,000 µs
    assert by["cmd-pg"]["us_per_contract_day"] == 1000.0
    assert by["cmd-pg"]["ratio_to_smallest"] == 1.0
    # nothing stored: no cost per contract day, no ratio
    assert by["cmd-empty"]["us_per_contract_day"] is None
    assert by["cmd-empty"]["ratio_to_smallest"] is None
    # two workers against one on the same book: 6.518 s / 3.259 s
    assert by["cmd-pg"]["speedup_over_1_worker"] == 2.0
    assert by["cmd-pg-1"]["speedup_over_1_worker"] == 1.0
    assert by["cmd-1m"]["speedup_over_1_worker"] == 1.0
    # no one-worker run of that book: no speed-up
    assert by["cmd-empty"]["speedup_over_1_worker"] is None
    assert by["cmd-1m"]["peak_rss_mb"] == 903


def test_markdown_table(growth: ModuleType) -> None:
    lines = growth.markdown(rows(growth), "82c4ad1+dirty").splitlines()
    assert lines[0] == "Commit `82c4ad1+dirty`."
    assert lines[2] == ("| database | workers | contracts | contract days stored | actions "
                        "| wall s | µs per contract day | × smallest | speed-up over 1 worker "
                        "| engine/floor | peak RSS MB | idle day s | command |")
    assert lines[3] == "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    assert lines[4] == ("| sqlite | 1 | 1,000,000 | 334,000 | 668,000 | 217.10 | 650.0 "
                        "| 1.30 (over 1.2) | 1.00 | 5.34 | 903 | 0.005 | `cmd-1m` |")
    assert lines[6] == ("| sqlite | 1 | 100,000 | 33,000 | 66,000 | 19.80 | 600.0 | 1.20 "
                        "| 1.00 | 5.34 | 250 | 0.005 | `cmd-100k` |")
    assert lines[7] == ("| postgresql | 2 | 10,000 | 3,259 | 6,518 | 3.26 | 1,000.0 | 1.00 "
                        "| 2.00 | 5.34 | 120 | 0.005 | `cmd-pg` |")
    assert lines[9] == ("| postgresql | 2 | 100,000 | 0 | 0 | 0.01 | — | — | — | 5.34 | 120 "
                        "| 0.005 | `cmd-empty` |")


def test_command_shown_without_password(growth: ModuleType) -> None:
    url = "postgresql+psycopg://root:secret@127.0.0.1:5432/test"
    assert growth.shown(url) == "postgresql+psycopg://root:***@127.0.0.1:5432/test"
    assert growth.bench_args(growth.shown(url), 10_000, 1, 2, 3) == [
        "bench", "--contracts", "10000", "--days", "1", "--spread", "3",
        "--db", "postgresql+psycopg://root:***@127.0.0.1:5432/test", "--workers", "2", "--json"]


def test_a_file_path_is_a_sqlite_url(growth: ModuleType, tmp_path: Path) -> None:
    assert growth.db_url(str(tmp_path / "runs" / "g.db")) == f"sqlite:///{tmp_path}/runs/g.db"
    assert (tmp_path / "runs").is_dir()
    assert growth.db_url("sqlite:///out/x.db") == "sqlite:///out/x.db"


def test_profiled_files_are_named_from_their_package(growth: ModuleType) -> None:
    assert growth.where("/work/wt/src/termline/app/run.py") == "termline/app/run.py"
    assert growth.where("/work/wt/.venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py"
                        ) == "sqlalchemy/engine/base.py"
    assert growth.where("/usr/lib/python3.11/json/encoder.py") == "json/encoder.py"
