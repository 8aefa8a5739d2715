"""Issue 19: a dated list price for the provider's whole book. SuperOffice 11.1 ¶1 (seed 003):
"Als de Klant toegang voor aanvullende gebruikers ... bestelt (zie clausule 12), is de prijs
per gebruiker de op dat moment geldende, officiële prijs van SuperOffice": added users at
SuperOffice's official price in force at that time, one price list for every customer. An
event `list_price_changed` for `contract: "*"` gives it to every contract of the tenant; it
is stored once, applied by the runs, and read back from the stored state on SQLite and
PostgreSQL. (The pack keeps the contract's price, its reading of "of, indien van toepassing,
de overeengekomen prijs"; this test runs the pack with `seats.price: list_price`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termline.entrypoints.cli import database
from tests.store.test_equivalence import termline

PACK = Path(__file__).resolve().parents[2] / "src/termline/domain/policy/packs/superoffice.yaml"


def _list_price_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SuperOffice's pack with added users billed at the list price of the day (12 ¶1), and
    commands that keep no pooled connection between calls."""
    engine_of = database.engine
    monkeypatch.setattr(database, "engine", lambda raw=None, *, pooled=True, must_exist=True:
                        engine_of(raw, pooled=False, must_exist=must_exist))
    policy = tmp_path / "superoffice-list.yaml"
    text = PACK.read_text("utf-8").replace(
        "  increase: prorata_to_period_end\n  decrease_notice: 30 days\n",
        "  increase: prorata_to_period_end\n  price: list_price\n  decrease_notice: 30 days\n")
    policy.write_text(text.replace("pack: superoffice", "pack: superoffice-list"), "utf-8")
    assert "  price: list_price\n" in policy.read_text("utf-8")  # the pack's text still fits
    return policy


def test_the_providers_list_price_for_every_contract_bills_added_users(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Monthly Factuurperiode from 2027-03-01 (the month change after the Contractdatum
    2027-02-10, 11.1 ¶2), 5 users of CRM Online at the agreed 40.00. The official price
    becomes 45.00 from 2027-03-01 (event of 2027-02-15 for every contract). 2 users added,
    confirmed 2027-03-10 (12 ¶1), billed 03-10..03-31, 22 of 31 days, at the price of that
    day: 2 x 45.00 x 22 / 31 = 63.8709... -> 63.87 (at the agreed price it was 56.77, the
    pack's test). The April invoice bills the 7 users' line at the agreed 40.00: 280.00.
    The other customer has no CRM Online line: its ledger shows no change."""
    policy = _list_price_pack(tmp_path, monkeypatch)
    scenario = tmp_path / "book.yaml"
    scenario.write_text(f"""
policy: {policy}
until: 2027-04-30
contracts:
  - id: acme
    customer: {{name: Acme B.V., country: NL}}
    start: 2027-02-10
    billing_period: 1 month
    lines:
      - {{item: CRM Online, unit_price: "40.00", per: month, quantity: 5}}
  - id: other
    customer: {{name: Other B.V., country: NL}}
    start: 2027-02-10
    billing_period: 1 month
    lines:
      - {{item: Marketing, unit_price: "40.00", per: month, quantity: 1}}
events: []
""", "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "so", "--timezone", "Europe/Oslo")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-02-14")
    termline(db_url, "event", "add", "--contract", "*", "--type", "list_price_changed",
             "--date", "2027-02-15", "--field", "item=CRM Online", "--field", "price=45.00",
             "--field", "effective=2027-03-01")
    termline(db_url, "run", "--until", "2027-03-05")  # the state with the price is stored
    termline(db_url, "event", "add", "--contract", "acme", "--type", "seat_change", "--date",
             "2027-03-10", "--field", "item=CRM Online", "--field", "quantity=7")
    termline(db_url, "run", "--until", "2027-04-01")
    actions = json.loads(termline(db_url, "ledger", "--format", "json"))["actions"]
    invoices = [(a["date"], a["amount"]) for a in actions
                if a["contract"] == "acme" and a["kind"] == "invoice_issued"]
    assert invoices == [("2027-03-01", "200.00"), ("2027-03-10", "63.87"),
                        ("2027-04-01", "280.00")]
    changed = [(a["contract"], a["date"]) for a in actions if a["kind"] == "list_price_changed"]
    assert changed == [("acme", "2027-02-15")]
    assert not json.loads(termline(db_url, "contract", "problems", "--format", "json"))


def test_a_contract_added_after_the_price_change_starts_with_it(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SuperOffice 11.1 ¶1: the official price "in force at that time" is the provider's,
    also for a customer who signs after it changed. The change to 45.00 from 2027-03-01
    (event of 2027-02-15 for every contract) is stored and run before contract `late` is
    added; `late` starts 2027-03-15 with 5 users of CRM Online at the agreed 40.00. Its
    Factuurperiode is monthly from 2027-04-01 (the month change after the Contractdatum,
    11.1 ¶2): 5 x 40.00 = 200.00. 2 users added, confirmed 2027-04-12 (12 ¶1), billed
    04-12..04-30, 19 of 30 days, at the official price of that day, taken on `late`'s start
    day: 2 x 45.00 x 19 / 30 = 57.00 (at the agreed price, as when the change did not reach
    a later contract: 50.67). A second change, to 48.00 from 2027-04-20, announced 2027-03-10
    (before `late` starts) and stored after `late` ran to 04-15: a back-dated event, `late` is
    recomputed from its start with both changes and keeps its 57.00 (no correction). 1 more
    user confirmed 04-22: 1 x 48.00 x 9 / 30 = 14.40; May bills the 8 users at the agreed
    price: 320.00. Only `acme`, which ran when the changes came, has `list_price_changed`
    actions; `late` had its prices when it started."""
    policy = _list_price_pack(tmp_path, monkeypatch)

    def book(name: str, ref: str, start: str) -> str:
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"""
policy: {policy}
until: 2027-05-31
contracts:
  - id: {ref}
    customer: {{name: {ref} B.V., country: NL}}
    start: {start}
    billing_period: 1 month
    lines:
      - {{item: CRM Online, unit_price: "40.00", per: month, quantity: 5}}
events: []
""", "utf-8")
        return str(path)

    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "so", "--timezone", "Europe/Oslo")
    termline(db_url, "import", book("first", "acme", "2027-02-10"))
    termline(db_url, "run", "--until", "2027-02-14")
    termline(db_url, "event", "add", "--contract", "*", "--type", "list_price_changed",
             "--date", "2027-02-15", "--field", "item=CRM Online", "--field", "price=45.00",
             "--field", "effective=2027-03-01")
    termline(db_url, "run", "--until", "2027-03-20")
    termline(db_url, "import", book("second", "late", "2027-03-15"))
    termline(db_url, "event", "add", "--contract", "late", "--type", "seat_change", "--date",
             "2027-04-12", "--field", "item=CRM Online", "--field", "quantity=7")
    termline(db_url, "run", "--until", "2027-04-15")
    termline(db_url, "event", "add", "--contract", "*", "--type", "list_price_changed",
             "--date", "2027-03-10", "--field", "item=CRM Online", "--field", "price=48.00",
             "--field", "effective=2027-04-20")  # back-dated: both contracts are recomputed
    termline(db_url, "event", "add", "--contract", "late", "--type", "seat_change", "--date",
             "2027-04-22", "--field", "item=CRM Online", "--field", "quantity=8")
    termline(db_url, "run", "--until", "2027-05-01")
    actions = json.loads(termline(db_url, "ledger", "--format", "json"))["actions"]
    invoices = [(a["date"], a["amount"]) for a in actions
                if a["contract"] == "late" and a["kind"] == "invoice_issued"]
    assert invoices == [("2027-04-01", "200.00"), ("2027-04-12", "57.00"),
                        ("2027-04-22", "14.40"), ("2027-05-01", "320.00")]
    assert [a for a in actions if a["contract"] == "late" and a["kind"] == "action_corrected"
            ] == []
    changed = [(a["contract"], a["date"]) for a in actions if a["kind"] == "list_price_changed"]
    assert changed == [("acme", "2027-02-15"), ("acme", "2027-03-10")]
    assert not json.loads(termline(db_url, "contract", "problems", "--format", "json"))
