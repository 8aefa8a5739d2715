"""The dunning letter's content (pure): what is open on the reminder's day per item incl.
VAT, the fee only when one is charged, the deadline or "without delay" (issue 18)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from termline.adapters.documents.letter import DueLine, Letter, html
from termline.adapters.sql.dues import Record, due_lines
from termline.domain.engine.state import Item

DAY = date(2027, 2, 15)
ITEMS = (
    # issue 17: the item is the invoice's total incl. VAT, 300.00 + 21 % = 363.00
    Item("c-0001", "invoice", date(2027, 1, 4), date(2027, 1, 12), D("363.00"), 1,
         paid=D("100.00"), vat=D("63.00"), vat_category="S 21"),
    Item("c-0001-R1", "fee", date(2027, 1, 22), date(2027, 1, 22), D("14.00"), 2),
    Item("c-0001-INT", "interest", date(2027, 2, 12), date(2027, 2, 12), D("4.50"), 3),
    Item("c-0002", "invoice", date(2027, 1, 4), date(2027, 1, 12), D("50.00"), 4,
         paid=D("50.00")),  # paid: not due
    Item("c-0003", "invoice", date(2027, 2, 20), date(2027, 2, 28), D("50.00"), 5),  # later
)
RECORDS = {
    "c-0001": Record("SC2027-000001", date(2027, 1, 4), date(2027, 1, 12), D("300.00"),
                     D("63.00"), D("363.00"), "+++202/7000/00014+++"),
    "c-0001-R1": Record("SC2027-000004", date(2027, 1, 22), date(2027, 1, 22), D("14.00"),
                        D("0.00"), D("14.00"), "+++202/7000/00417+++"),
}


def test_open_items_incl_vat_oldest_first() -> None:
    """The invoice: 300.00 net + 21 % = 363.00, the open item (issue 17); 100.00 paid, so
    363.00 - 100.00 = 263.00 open, as the books say (no share of VAT recomputed); the fee 14.00
    (no VAT); the interest of 12 February 4.50 without a numbered record (its engine ref and
    amount). A paid invoice and one issued after the reminder's day are not due. Total
    263.00 + 14.00 + 4.50 = 281.50."""
    lines = due_lines(ITEMS, DAY, RECORDS)
    assert [(ln.document, ln.kind, ln.total, ln.open) for ln in lines] == [
        ("SC2027-000001", "invoice", D("363.00"), D("263.00")),
        ("SC2027-000004", "fee", D("14.00"), D("14.00")),
        ("c-0001-INT", "interest", D("4.50"), D("4.50")),
    ]
    letter = _letter(lines, fee=D("0"), deadline=None)
    assert letter.total_due == D("281.50")
    assert Letter.from_json(letter.to_json()) == letter
    page = html(letter)
    assert "281,50" in page and "Verwijlinterest" in page and "Aanmaningskosten" in page
    assert "onverwijld" in page  # no further step: pay without delay
    assert "aanmaningskosten van" not in page  # this step charges no fee: no fee sentence


def test_a_fee_and_a_deadline_are_stated_with_their_clauses() -> None:
    letter = _letter(due_lines(ITEMS, DAY, RECORDS), fee=D("14.00"),
                     deadline=date(2027, 2, 22))
    page = html(letter)
    assert "aanmaningskosten van € 14,00 aangerekend (artikel 4.2)" in page.replace("\xa0", " ")
    assert "vóór 22 februari 2027" in page and "artikel 4.3" in page


@given(st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
       st.integers(min_value=0, max_value=100))
def test_the_letter_states_what_the_books_hold_open(net: D, percent: int) -> None:
    """The books agree with the documents (issue 17): whatever was paid of a gross item, the
    letter's line is the item's open amount, at most the document's total, exactly it when
    nothing is paid."""
    vat = (net * D("0.21")).quantize(D("0.01"))
    total = net + vat
    paid = (total * percent / 100).quantize(D("0.01"))
    item = Item("c-0009", "invoice", date(2027, 1, 4), date(2027, 1, 12), total, 1, paid=paid,
                vat=vat, vat_category="S 21")
    record = Record("SC2027-000009", date(2027, 1, 4), date(2027, 1, 12), net, vat, total,
                    "+++202/7000/00099+++")
    (line,) = due_lines((item,), DAY, {"c-0009": record}) or (None,)
    if paid == total:
        assert line is None
        return
    assert line is not None and line.open == total - paid == item.open
    assert D(0) < line.open <= line.total == total
    if paid == 0:
        assert line.open == total


def _letter(lines: tuple[DueLine, ...], fee: D, deadline: date | None) -> Letter:
    return Letter("nl", DAY, 2, "c", "SC2027-000001", "EUR", lines, fee, ("4.2",), deadline,
                  ("4.3",) if deadline else (),
                  {"legal_name": "Smartconnect BV", "street": "Kerkstraat 1", "city": "Gent",
                   "postal_code": "9000", "country": "BE", "iban": "BE35310123456737"},
                  {"name": "Klant BV", "country": "NL"}, "+++202/7000/00014+++")
