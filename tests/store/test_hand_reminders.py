"""Issue 19: a reminder sent by hand (`reminder_sent`) stored and run in the store, on SQLite
and PostgreSQL, as tests/test_terms_notice_dunning.py simulates it. LedgerLoop 4.1
(tests/fixtures/custom/terms.txt): reminders 10 days after the due date and 10 days apart;
4.2: "21 days after the due date and after the third reminder" a fixed interest of 15 % "of
the unpaid amount" and a EUR 50 penalty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termline.entrypoints.cli import database
from tests.store.test_equivalence import termline

CUSTOM = Path(__file__).resolve().parents[1] / "fixtures/custom"


def test_a_reminder_sent_by_hand_starts_the_ladders_next_dates_in_the_store(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Invoice 2027-01-04 of 1,200.00 net + 21 % VAT = 1,452.00, due 2027-02-03, unpaid. The
    first reminder sent by hand on 02-05 (stored after the run of 02-04) is reminder_1: the
    engine's reminder_2 on 02-15 and reminder_3 on 02-25 (not 02-13 / 02-23 / 03-05); the
    charges on the later of 02-24 (due + 21) and 02-25: 15 % x 1,452.00 = 217.80 and 50.00.
    A second hand reminder for reminder_1 (02-11) is refused in the ledger."""
    engine_of = database.engine
    monkeypatch.setattr(database, "engine", lambda raw=None, *, pooled=True, must_exist=True:
                        engine_of(raw, pooled=False, must_exist=must_exist))
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "p", "--timezone", "Europe/Brussels")
    scenario = tmp_path / "late.yaml"
    scenario.write_text((CUSTOM / "late.yaml").read_text("utf-8").replace(
        "policy: policy.yaml", f"policy: {CUSTOM / 'policy.yaml'}"), "utf-8")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-02-04")
    termline(db_url, "event", "add", "--contract", "late", "--type", "reminder_sent", "--date",
             "2027-02-05", "--field", "ref=late-0001")
    termline(db_url, "run", "--until", "2027-02-10")
    termline(db_url, "event", "add", "--contract", "late", "--type", "reminder_sent", "--date",
             "2027-02-11", "--field", "ref=late-0001", "--field", "step=reminder_1")
    termline(db_url, "run", "--until", "2027-03-01")
    actions = json.loads(termline(db_url, "ledger", "--format", "json"))["actions"]
    got = [(a["date"], a["kind"], a.get("amount"), a.get("number"), a.get("by"))
           for a in actions if a["kind"] in ("reminder_sent", "charge_applied", "event_refused")]
    assert got == [("2027-02-05", "reminder_sent", None, 1, "hand"),
                   ("2027-02-11", "event_refused", None, None, None),
                   ("2027-02-15", "reminder_sent", None, 2, None),
                   ("2027-02-25", "reminder_sent", None, 3, None),
                   ("2027-02-25", "charge_applied", "217.80", None, None),
                   ("2027-02-25", "charge_applied", "50.00", None, None)]
    assert not json.loads(termline(db_url, "contract", "problems", "--format", "json"))
