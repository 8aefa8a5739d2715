"""Issue 17, the money model in the engine: gross open items, cash applied where the payer
says, interest on the amount due including VAT from the statute's start day. Figures by hand."""

from __future__ import annotations

from pathlib import Path

import yaml

from scenario_helpers import actions, balance, run
from termline.adapters.documents.references import ogm_digits

PACKS = Path(__file__).resolve().parent.parent / "src/termline/domain/policy/packs"


def _pack(tmp_path: Path, pack: str, section: str, key: str, value: str) -> str:
    """A copy of a built-in pack with one field of a rule set (a provider's own terms)."""
    data = yaml.safe_load((PACKS / f"{pack}.yaml").read_text(encoding="utf-8"))
    data[section][key] = value
    path = tmp_path / f"{pack}-{key}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)

TRACKERS = """
policy: {policy}
until: 2025-12-31
contracts:
  - id: {cid}
    customer: {{name: Acme B.V., country: NL}}
    start: 2025-03-01
    lines: [{{item: SmartTrackers Platform, unit_price: "250.00", per: month, quantity: 1}}]
events:
  - {{date: 2025-05-30, type: payment, contract: {cid}, amount: "3630.00"}}
"""


def test_statutory_interest_runs_on_the_gross_amount_from_the_day_after_the_due_date(
        tmp_path: Path) -> None:
    """SmartTrackers 6.6/6.8 (Dutch law): 12 x 250.00 = 3000.00 + 21 % VAT = 3630.00, issued
    2025-03-01, due 2025-03-31. Art. 6:119a BW: statutory commercial interest on the amount
    due (the invoice's total, VAT included) from the day after the due date: the due day bears
    none, the payment day does: 2025-04-01 .. 2025-05-30 = 60 days at 11.15 %:
    3630 x 0.1115 x 60/365 = 66.5334 -> 66.53. With the policy's `interest.base: net` (a
    contract that says so) the same days on 3000.00: 54.9863 -> 54.99."""
    gross = run(TRACKERS.format(cid="gross", policy="smarttrackers"))
    net = run(TRACKERS.format(cid="net", policy=_pack(tmp_path, "smarttrackers", "interest",
                                                      "base", "net")))
    assert [(a["date"], a["amount"]) for a in actions(gross, "gross", "interest_charged")] == [
        ("2025-05-30", "66.53")]
    assert [(a["date"], a["amount"]) for a in actions(net, "net", "interest_charged")] == [
        ("2025-05-30", "54.99")]


SHOP = """
policy: {policy}
until: 2027-06-30
contracts:
  - id: c
    customer: {{name: Shop ApS, country: DK}}
    start: 2027-01-04
    lines: [{{item: Shop, unit_price: "50.00", per: month, quantity: 1}}]
events:
{events}
"""


def test_a_partial_payment_of_a_named_invoice_stays_on_it() -> None:
    """SmartWeb 4.2: c-0001 = 300.00 + 25 % VAT = 375.00, due 01-12; reminder fee R1 14.00 on
    01-22. On 01-25 the customer pays 100.00 naming c-0001: all of it goes to c-0001 (275.00
    left), none to the older-ranked fee that `oldest_first` would pay first."""
    result = run(SHOP.format(policy="smartweb", events=(
        "  - {date: 2027-01-25, type: payment, contract: c, amount: '100.00', invoice: c-0001}")))
    applied = [(a["ref"], a["amount"]) for a in actions(result, "c", "payment_applied")
               if a["date"] == "2027-01-25"]
    assert applied == [("c-0001", "100.00")]


def test_principal_first_and_overpayment_as_credit_for_the_next_item(tmp_path: Path) -> None:
    """Terms with `payment.allocation: principal_first`: 400.00 on 01-25 pays c-0001's 375.00
    (300.00 + 25 % VAT) before R1's 14.00 of 01-22; the 11.00 left stay as credit and pay the
    next item issued, c-0002 of 06-20 (4.1: 14 days before the period of 07-04), 375.00:
    11.00 from the credit, 364.00 open."""
    policy = _pack(tmp_path, "smartweb", "payment", "allocation", "principal_first")
    result = run(SHOP.format(policy=policy, events=(
        "  - {date: 2027-01-25, type: payment, contract: c, amount: '400.00'}")))
    on_day = [(a["ref"], a["amount"]) for a in actions(result, "c", "payment_applied")
              if a["date"] == "2027-01-25"]
    assert on_day == [("c-0001", "375.00"), ("c-0001-R1", "14.00")]
    later = [(a["date"], a["ref"], a["amount"]) for a in actions(result, "c", "payment_applied")
             if a.get("source") == "credit"]
    assert later == [("2027-06-20", "c-0002", "11.00")]
    assert (balance(result, "c")["principal"], balance(result, "c")["credit"]) == (
        "364.00", "0.00")


def test_structured_references_are_unique_across_series() -> None:
    """A credit note's OGM never equals an invoice's: SCCN2027-000001 and SC2027-000001 share
    their digits 2027000001, but a credit note's reference starts with 9."""
    invoice, credit = ogm_digits("SC2027-000001"), ogm_digits("SCCN2027-000001", credit=True)
    assert invoice == "202700000122" and credit.startswith("9027000001") and credit != invoice


def test_every_charge_is_a_numbered_document_outside_the_scope_of_vat() -> None:
    """The custom terms (tests/fixtures/custom, LedgerLoop BV, Belgian): an invoice of
    2 x 50.00 x 12 = 1200.00 + 21 % VAT = 1452.00 of 4 January, due 3 February (3.2), never
    paid. 4.4: EUR 40 compensation on 4 February; 4.2 on 5 March: fixed interest of 15 % of the
    amount due, 1452.00 x 15 % = 217.80, and a penalty of 50.00. Each is a numbered invoice
    of its own, compensation and not a supply: category O, no VAT (before issue 17 the fixed
    interest and the penalty were owed in the balance but never invoiced)."""
    from documents.conftest import PROFILE
    from termline.adapters.documents.from_simulation import documents
    from termline.adapters.documents.parties import SellerProfile
    from tests.test_custom_policy import contract, scenario

    result = run(scenario(contract("late"), until="2027-04-30"))
    docs = documents(result, SellerProfile.model_validate(PROFILE))
    assert [(d.number, d.source, d.issued.isoformat(), f"{d.net:.2f}", f"{d.vat:.2f}",
             [ln.category.code for ln in d.lines]) for d in docs] == [
        ("SC2027-000001", "late-0001", "2027-01-04", "1200.00", "252.00", ["S"]),
        ("SC2027-000002", "late-0001-COMP", "2027-02-04", "40.00", "0.00", ["O"]),
        ("SC2027-000003", "late-0001-fixed_interest", "2027-03-05", "217.80", "0.00", ["O"]),
        ("SC2027-000004", "late-0001-penalty", "2027-03-05", "50.00", "0.00", ["O"])]
