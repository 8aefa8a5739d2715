"""Issue 8, "No tracebacks": every careless input a new user tried prints one line naming the
input on stderr, exits 2 and leaves the database as it was (and no stray .db file)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select
from typer.testing import CliRunner

from termline.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "smartweb.yaml"
TERMLINE = Path(sys.executable).parent / "termline"
SECRET = "s3cret-pw"

FAR = """\
policy: smartweb
until: 9999-12-31
contracts:
  - id: far
    customer: {name: Far Future ApS}
    start: 9999-12-20
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
"""


def _inputs(folder: Path) -> None:
    """Files as a careless user (or a spreadsheet's "save as") makes them."""
    noise = bytes(random.Random(8).randrange(256) for _ in range(400)) + b"\xff\x00"
    text = EXAMPLE.read_text("utf-8") + "# Søren Kierkegaard, Århus\n"
    events = "date,type,contract,amount\n2027-06-01,payment,acme,250.00\n# Ærø\n"
    for stem, body in (("scenario", text), ("events", events)):
        suffix = ".yaml" if stem == "scenario" else ".csv"
        (folder / f"binary{suffix}").write_bytes(noise)
        (folder / f"latin1{suffix}").write_bytes(body.encode("latin-1"))
        (folder / f"utf16{suffix}").write_bytes(body.encode("utf-16"))
    (folder / "far.yaml").write_text(FAR, "utf-8")
    (folder / "huge.yaml").write_text(
        EXAMPLE.read_text("utf-8").replace('"50.00"', '"1e30"'), "utf-8")


def _snapshot(url: str) -> dict[str, list[Any]]:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        rows = {name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for name, table in meta.tables.items()}
    engine.dispose()
    return rows


def _files(folder: Path) -> list[str]:
    """The folder's files, less SQLite's own -wal/-shm companions of the store."""
    return sorted(p.name for p in folder.rglob("*") if not p.name.endswith(("-wal", "-shm")))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder with the bad inputs and a store with tenant `t` (a contract that starts
    9999-12-20 no longer gets in: dates end at 2199-12-31 at the door, issue 18)."""
    folder = tmp_path_factory.mktemp("careless")
    _inputs(folder)
    url = f"sqlite:///{folder / 'book.db'}"
    runner = CliRunner()
    for args in (["db", "upgrade"], ["tenant", "add", "t"]):
        result = runner.invoke(app, args, env={"TERMLINE_DATABASE_URL": url})
        assert result.exit_code == 0, result.output
    yield folder, url


def _cases() -> list[Any]:
    cases: list[Any] = []
    for kind in ("binary", "latin1", "utf16"):
        yaml_file, csv_file = f"{kind}.yaml", f"{kind}.csv"
        cases += [
            pytest.param(["simulate", f"{{d}}/{yaml_file}"], None, yaml_file,
                         id=f"simulate-{kind}"),
            pytest.param(["import", f"{{d}}/{yaml_file}"], None, yaml_file, id=f"import-{kind}"),
            pytest.param(["event", "import", f"{{d}}/{csv_file}"], None, csv_file,
                         id=f"event-import-{kind}"),
            pytest.param(["policy", "check", f"{{d}}/{yaml_file}"], None, yaml_file,
                         id=f"policy-check-{kind}"),
            pytest.param(["simulate", str(EXAMPLE), "--indices", f"{{d}}/{csv_file}"], None,
                         csv_file, id=f"indices-{kind}"),
        ]
    for url, named, case in (
            (f"postgresql+psycopg://root:{SECRET}@127.0.0.1:5999/test", "127.0.0.1:5999",
             "unreachable"),
            (f"mysql://root:{SECRET}@localhost/db", "mysql", "mysql"),
            ("not a url", "not a url", "not-a-url"),
            ("sqlite:///{d}/missing/book.db", "missing", "missing-folder"),
            ("sqlite:///{d}/nothing-here.db", "db upgrade", "no-such-file")):
        cases.append(pytest.param(["ledger"], url, named, id=f"url-{case}"))
    cases += [
        pytest.param(["db", "upgrade"], "sqlite:///{d}/missing/book.db", "missing",
                     id="url-missing-folder-upgrade"),
        pytest.param(["bench", "--contracts", "1", "--days", "1", "--db", "not a url"], None,
                     "--db", id="bench-db-not-a-url"),
        pytest.param(["deadlines", "--on", "2027-05-01", "--ics", "{d}/missing/x.ics"], None,
                     "--ics", id="ics-missing-folder"),
        pytest.param(["deadlines", "--on", "2027-05-01", "--ics", "{d}"], None, "--ics",
                     id="ics-onto-folder"),
        pytest.param(["deadlines", str(EXAMPLE), "--on", "2027-05-01", "--within", "8000y"],
                     None, "8000y", id="within-8000y"),
        pytest.param(["simulate", "{d}/huge.yaml"], None, "huge.yaml", id="unit-price-1e30"),
        pytest.param(["event", "add", "--json", "[1,2,3]"], None, "--json", id="json-list"),
        pytest.param(["simulate", "{d}/far.yaml"], None, "far.yaml", id="date-overflow-simulate"),
        # 9999-12-31 is the store's "never": a run to it used to claim the same contracts
        # forever (terminated ones included), so it is refused
        pytest.param(["run", "--until", "9999-12-31"], None, "9999-12-30", id="run-to-never"),
    ]
    return cases


@pytest.mark.parametrize(("args", "url", "named"), _cases())
def test_careless_input_is_one_line_exit_2_and_changes_nothing(
        store: tuple[Path, str], args: list[str], url: str | None, named: str) -> None:
    folder, book = store
    args = [a.replace("{d}", str(folder)) for a in args]
    env_url = url.replace("{d}", str(folder)) if url else book
    before, files = _snapshot(book), _files(folder)
    result = CliRunner().invoke(app, args, env={"TERMLINE_DATABASE_URL": env_url})
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and named in lines[0], lines[0]
    assert SECRET not in result.output
    assert _snapshot(book) == before
    assert _files(folder) == files  # no empty .db left behind


def test_the_console_script_prints_no_traceback(store: tuple[Path, str]) -> None:
    """The same boundary serves the installed `termline` (not only CliRunner)."""
    folder, book = store
    env = {**os.environ, "TERMLINE_DATABASE_URL": book}
    done = subprocess.run([str(TERMLINE), "simulate", str(folder / "far.yaml")], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "far.yaml" in done.stderr


def test_a_password_in_the_url_is_never_printed(store: tuple[Path, str]) -> None:
    folder, _ = store
    url = f"postgresql+psycopg://root:{SECRET}@127.0.0.1:5999/test"
    result = CliRunner().invoke(app, ["db", "upgrade"], env={"TERMLINE_DATABASE_URL": url})
    assert result.exit_code == 2
    assert SECRET not in result.output and "root:***@127.0.0.1:5999" in result.stderr
    shutil.rmtree(folder / "missing", ignore_errors=True)


def test_a_contract_past_the_last_date_is_refused_at_the_door_naming_the_bound(
        store: tuple[Path, str]) -> None:
    """A contract starting 9999-12-20 would run past the calendar's last day; the door
    refuses dates after 2199-12-31 (issue 18), so the import is one line naming the file, the
    line, the field and the bound, exit 2, and nothing is stored."""
    folder, book = store
    before = _snapshot(book)
    result = CliRunner().invoke(app, ["import", str(folder / "far.yaml")],
                                env={"TERMLINE_DATABASE_URL": book})
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "far.yaml, line 6" in lines[0]
    assert "contracts.0.start" in lines[0] and "2199-12-31" in lines[0]
    assert _snapshot(book) == before
