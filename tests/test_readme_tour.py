"""Issue 8: the README's tour works as written. Every ```sh block of README.md runs, top to
bottom, in one shell in an empty folder that sees the repository's `examples/` and `src/`
(as a user at the repository's root does), with the installed `termline` on PATH."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from termline.app.inputs import event_models, read_events
from termline.domain.contract.model import Event
from tests.store.conftest import db_url  # noqa: F401 - the fixture, on SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", text, flags=re.S | re.M)


def test_every_sh_block_of_the_readme_runs_as_written(tmp_path: Path) -> None:
    blocks = sh_blocks(README)
    assert len(blocks) >= 2 and any("termline run" in b for b in blocks)
    for name in ("examples", "src", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    script = "set -euo pipefail\nset -x\n" + "\n".join(blocks)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TERMLINE_")}  # the README sets what it needs
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert (tmp_path / "termline.db").is_file() and (tmp_path / "deadlines.ics").is_file()
    # the tour's store commands did what they say: the ledger holds the spreadsheet's
    # contracts, and the receivables name the customer who never paid
    assert "Globex ApS" in done.stdout and "Initech A/S" in done.stdout
    assert "Aged receivables on 2027-06-30" in done.stdout
    # issue 19: the custom example (a policy without trial: or provider_termination:) runs in
    # the store beside the pack's contracts, none set aside
    assert "Late BV" in done.stdout
    assert "set aside" not in done.stdout + done.stderr


def test_the_custom_example_of_the_readme_runs_in_the_store_on_both_databases(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811
    """The README's lines that import the custom example, on SQLite and PostgreSQL: the
    contract is stored, run to 2027-06-30 and listed, none set aside. LedgerLoop 3.1: 2 seats
    x EUR 50 x 12 months = EUR 1,200.00 + 21 % VAT = 1,452.00 (a Belgian customer; issue 17:
    the open item is the invoice total), unpaid; 4.4: EUR 40 compensation; 4.2: 15 % fixed
    interest of the unpaid amount (1,452.00 x 15 % = EUR 217.80) and the EUR 50 penalty after
    the third reminder: 1,452.00 + 40 + 217.80 + 50 = 1,759.80."""
    lines = [line.split("#")[0].strip() for block in sh_blocks(README)
             for line in block.splitlines() if "tests/fixtures/custom/late.yaml" in line
             or line.startswith("termline contract show late")]
    assert lines == ["termline import tests/fixtures/custom/late.yaml",
                     "termline contract show late"]
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERMLINE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TERMLINE_DATABASE_URL"] = db_url
    script = "\n".join(["set -euo pipefail", "termline db upgrade",
                        "termline tenant add acme-provider --timezone Europe/Copenhagen",
                        lines[0], "termline run --until 2027-06-30",
                        "termline contract list --format json", "termline contract problems"])
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "set aside" not in done.stdout + done.stderr
    listed = json.loads(done.stdout[done.stdout.index("["):done.stdout.rindex("]") + 1])
    assert [(c["contract"], c["total"]) for c in listed] == [("late", "1759.80")]


def test_every_event_type_of_the_readme_table_is_a_valid_csv_row(tmp_path: Path) -> None:
    """The README's table of event CSV columns: each example row, under the header
    `date,type,contract` + its columns, reads as an event of that type."""
    rows = re.findall(r"^\| `([a-z_]+)` \| (.*?) \| `(.*?)` \|$", README, flags=re.M)
    types = {m.model_fields["type"].annotation.__args__[0] for m in event_models(Event)}
    assert {t for t, _, _ in rows} == types  # one row per event type, no more, no less
    for kind, columns, example in rows:
        names = [c.strip().split(" ")[0] for c in columns.split(",") if c.strip() != "—"]
        path = tmp_path / f"{kind}.csv"
        path.write_text(",".join(["date", "type", "contract", *names]) + "\n" + example + "\n",
                        "utf-8")
        (event,) = read_events(path)
        assert event.event.type == kind
