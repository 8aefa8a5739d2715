"""The lines of a credit note by hand (`documents.build.credit_lines`, issue 17): in full they
repeat the credited document's; in part the gross amount is split into a net and its VAT that
add up to it exactly, the VAT computed as on every document (the category's net times its
rate, rounded once: EN 16931 BR-CO-17), the net spread over the lines in proportion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from documents.conftest import PROFILE
from termline.adapters.documents.build import Issued, IssuedLine, credit_lines, document
from termline.adapters.documents.model import Document
from termline.adapters.documents.parties import SellerProfile
from termline.domain.contract.model import Contract

SELLER = SellerProfile.model_validate(PROFILE)
CUSTOMER = Contract.model_validate({"id": "c", "start": "2027-01-04",
                                    "customer": {"name": "Client", "country": "BE"},
                                    "lines": [{"item": "Agent", "unit_price": "100.00"}]})


def _invoice(*nets: str) -> Document:
    lines = tuple(IssuedLine(f"line {i}", D(1), D(net), D(net))
                  for i, net in enumerate(nets, start=1))
    return document(Issued("invoice", "SC2027-000001", date(2027, 1, 4), date(2027, 2, 3),
                           "EUR", lines, "c-0001", "subscription"), SELLER, CUSTOMER)


def test_in_full_the_lines_are_the_invoices() -> None:
    """100.00 + 50.00 at 21 %: 150.00 + 31.50 = 181.50; a credit of 181.50 repeats both."""
    invoice = _invoice("100.00", "50.00")
    assert invoice.total == D("181.50")
    lines = credit_lines(invoice, D("181.50"))
    assert lines is not None
    assert [(ln.item, ln.amount) for ln in lines] == [("line 1", D("100.00")),
                                                      ("line 2", D("50.00"))]


def test_in_part_net_and_vat_add_up_to_the_amount() -> None:
    """60.50 of that invoice: net 60.50 / 1.21 = 50.00, VAT 10.50. 50.00 spread 2:1 is
    33.333 and 16.666, cut to 33.33 and 16.66 (49.99); the cent left goes to the larger
    remainder (0.0067 of line 2 against 0.0033): 33.33 + 16.67. The credit note built from
    these lines totals 50.00 + 10.50 = 60.50."""
    invoice = _invoice("100.00", "50.00")
    lines = credit_lines(invoice, D("60.50"))
    assert lines is not None
    assert [(ln.item, ln.quantity, ln.amount) for ln in lines] == [
        ("line 1", D(1), D("33.33")), ("line 2", D(1), D("16.67"))]
    credit = document(Issued("credit_note", "SCCN2027-000001", date(2027, 2, 5),
                             date(2027, 2, 5), "EUR", lines, "c-0001", "subscription"),
                      SELLER, CUSTOMER)
    assert (credit.net, credit.vat, credit.total) == (D("50.00"), D("10.50"), D("60.50"))


def test_the_cent_below_or_above_when_half_up_misses() -> None:
    """20.01 at 21 %: 20.01 / 1.21 = 16.537 -> 16.54, whose VAT 3.4734 -> 3.47 makes 20.01
    exactly. 0.06: 0.0496 -> 0.05, VAT 0.0105 -> 0.01: 0.06."""
    invoice = _invoice("100.00")
    assert [ln.amount for ln in credit_lines(invoice, D("20.01")) or ()] == [D("16.54")]
    assert [ln.amount for ln in credit_lines(invoice, D("0.06")) or ()] == [D("0.05")]


def test_an_amount_no_net_reaches_is_none() -> None:
    """At 21 %: 8.26 + 1.7346 -> 1.73 = 9.99, 8.27 + 1.7367 -> 1.74 = 10.01, 8.25 + 1.73 =
    9.98: no net to the cent gives 10.00."""
    assert credit_lines(_invoice("100.00"), D("10.00")) is None
