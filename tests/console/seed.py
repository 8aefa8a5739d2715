"""A small book for the console's tests, made through the service layer as the command line
makes one: two tenants, SmartWeb contracts run to 2027-02-10, one contract set aside, one bank
credit nobody matched, one e-mail that failed, and console users of each role."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import Engine, insert, update

from termline.adapters.bank.camt import Credit
from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.bank import import_statement
from termline.app.console_auth import add_user
from termline.app.documents import set_profile
from termline.app.intake import add_tenant, import_scenario
from termline.app.run import run
from termline.domain.contract.scenario_file import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2027, 2, 10)  # nopay is suspended (4.3 on 2027-02-06), not yet terminated
NOW = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
A, B = "acme-provider", "other-provider"
PASSWORD = "correct horse battery staple"
USERS = {"admin": "admin@acme.example", "finance": "finance@acme.example",
         "viewer": "viewer@acme.example", "other": "finance@other.example"}

BOOK_A = """
policy: smartweb
until: 2027-12-31
contracts:
  - id: acme
    customer: {name: Acme ApS, country: DK, email: billing@acme.example, vat_number: DK12345674,
               language: da}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
  - id: nopay
    customer: {name: Nopay ApS, country: DK, email: ap@nopay.example, vat_number: DK12345682}
    start: 2027-01-01
    lines:
      - {item: SmartWeb Shop, unit_price: "100.00", per: month, quantity: 1}
  - id: broken
    customer: {name: Broken ApS, country: DK, email: it@broken.example}
    start: 2027-01-01
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-01-10, type: payment, contract: acme, amount: "375.00", reference: BANK-1}
"""

BOOK_B = """
policy: smartweb
until: 2027-12-31
contracts:
  - id: beta
    customer: {name: Beta ApS, country: DK, email: ap@beta.example}
    start: 2027-01-01
    lines:
      - {item: SmartWeb Shop, unit_price: "70.00", per: month, quantity: 1}
"""


def uow_factory(engine: Engine):  # type: ignore[no-untyped-def]
    return lambda: SqlUnitOfWork(engine)


def seed(engine: Engine) -> dict[str, int]:
    uow = uow_factory(engine)
    profile = yaml.safe_load((ROOT / "examples/profiles/seller.yaml").read_text("utf-8"))
    for name, text in ((A, BOOK_A), (B, BOOK_B)):
        add_tenant(uow(), name, "Europe/Copenhagen")
        set_profile(uow(), name, {**profile, "invoice_prefix": "SW" if name == A else "OT"},
                    "seller.yaml")
        import_scenario(uow(), parse_scenario(text, f"{name}.yaml"), name)
    # an event stored by an "older version", that the run cannot read: `broken` is set aside
    with SqlUnitOfWork(engine) as u:
        owner = u.repo.tenant(A)
        assert owner is not None
        broken = u.repo.contracts(owner.id, "broken")[0]
        u.repo.conn.execute(insert(t.events).values(
            tenant_id=owner.id, contract_id=broken.id, date=date(2027, 1, 20), type="payment",
            natural_key="old:1", payload=json.dumps({"date": "2027-01-20", "type": "payment",
                                                     "contract": "broken",
                                                     "amount": "twelve"})))
        u.repo.note_event(owner.id, broken.id, date(2027, 1, 20))
        u.commit()
    run(uow, TODAY)
    # a credit of 1,000.00 from nobody the matcher knows: enough for nopay's 750.00 invoice
    # (600.00 + 25 % moms), its two 14.00 reminder fees (4.2) and the interest (11.25)
    import_statement(uow, [Credit("CRED-77", TODAY, Decimal("1000.00"), "EUR", "N. Payer",
                                  None, None, "thanks")], A)
    with engine.begin() as conn:  # one e-mail the SMTP server refused for good
        conn.execute(update(s.emails).where(s.emails.c.id == 1).values(
            status="failed", last_error="550 mailbox unavailable"))
    for role, email in USERS.items():
        add_user(uow(), B if role == "other" else A, email,
                 "finance" if role == "other" else role, PASSWORD, NOW)
    return {}
