"""Issue 8: random bytes and random mutations of the examples, given to every command that
reads a file, end in exit 0 or exit 2 with one line on stderr — never a traceback."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.domain.contract import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SOURCES = {p.name: p.read_bytes() for p in sorted(EXAMPLES.iterdir())
           if p.suffix in (".yaml", ".csv")}

# The commands that read a file, with where the file goes ({f}); a scenario's simulation is
# bounded by --until / --on so a mutated date cannot make it run for centuries.
YAML_COMMANDS = (
    ["simulate", "{f}", "--until", "2027-12-31"],
    ["deadlines", "{f}", "--on", "2027-05-01"],
    ["liability", "{f}", "--contract", "acme", "--on", "2027-06-30"],
    ["policy", "check", "{f}"],
    ["import", "{f}"],
    ["contract", "add", "{f}"],
)
CSV_COMMANDS = (
    ["event", "import", "{f}"],
    ["contract", "import", "{f}"],
    ["simulate", str(EXAMPLES / "smartweb.yaml"), "--until", "2027-03-31", "--indices", "{f}"],
)


class TooSlow(Exception):
    """A mutated input that is valid but slow (a start date centuries back): not a crash."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise TooSlow


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one tenant and the SmartWeb example's contracts (acme, nopay), so that
    mutated event files meet real contracts."""
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    intake.add_tenant(SqlUnitOfWork(engine), "t")
    intake.import_scenario(SqlUnitOfWork(engine), load_scenario(EXAMPLES / "smartweb.yaml"))
    engine.dispose()  # checkpoints the WAL into the file that each example copies
    return path


@pytest.fixture
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzzed")


def _run(template: Path, folder: Path, name: str, data: bytes, commands: Any) -> None:
    target = folder / name
    target.write_bytes(data)
    db = folder / "book.db"
    shutil.copyfile(template, db)
    runner = CliRunner()
    for args in commands:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(5)
        try:
            result = runner.invoke(app_instance(), [a.replace("{f}", str(target)) for a in args],
                                   env={"TERMLINE_DATABASE_URL": f"sqlite:///{db}"})
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        assume(not isinstance(result.exception, TooSlow))
        assert result.exit_code in (0, 2), (args, result.output, result.exception)
        if result.exit_code == 2:
            assert result.exception is None or isinstance(result.exception, SystemExit)
            lines = result.stderr.strip().splitlines()
            assert lines and all("error" in line for line in lines), (args, result.stderr)
            if args[:2] != ["policy", "check"]:  # a checker may list every problem, one a line
                assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)


def app_instance() -> Any:
    from termline.entrypoints.cli.app import app

    return app


def _mutate(data: bytes, edits: list[tuple[int, int, str]]) -> bytes:
    """Replace, at each fraction `at` of the text, `cut` characters by `text`."""
    text = data.decode("utf-8")
    for at, cut, insert in edits:
        i = at % (len(text) + 1)
        text = text[:i] + insert + text[i + cut:]
    return text.encode("utf-8")


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 12),
                           st.text(max_size=8) | st.sampled_from(
                               [",", ";", "\n", ": ", "-", '"', "{", "[", "9999-12-31", "1e30",
                                "0.00001", "-50.00", "\x00", "\ufeff", "payment", "*"])),
                 min_size=1, max_size=4)
FUZZ = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(name=st.sampled_from(sorted(n for n in SOURCES if n.endswith(".yaml"))), edits=EDITS)
def test_mutated_yaml_never_ends_in_a_traceback(template: Path, workdir: Path, name: str,
                                                edits: list[tuple[int, int, str]]) -> None:
    _run(template, workdir, name, _mutate(SOURCES[name], edits), YAML_COMMANDS)


@FUZZ
@given(name=st.sampled_from(sorted(n for n in SOURCES if n.endswith(".csv"))), edits=EDITS)
def test_mutated_csv_never_ends_in_a_traceback(template: Path, workdir: Path, name: str,
                                               edits: list[tuple[int, int, str]]) -> None:
    _run(template, workdir, name, _mutate(SOURCES[name], edits), CSV_COMMANDS)


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".yaml", ".csv"]))
def test_random_bytes_never_end_in_a_traceback(template: Path, workdir: Path, data: bytes,
                                               suffix: str) -> None:
    commands = YAML_COMMANDS if suffix == ".yaml" else CSV_COMMANDS
    _run(template, workdir, f"random{suffix}", data, commands)
