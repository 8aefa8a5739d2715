"""The sales side of a Belgian periodic VAT return (déclaration périodique / periodieke
aangifte) and the intra-community listing, read from the journal's lines (pure).

Grids (the taxable amounts of the revenue lines, by VAT code; the VAT of the VAT lines):
* 00, 01, 02, 03: operations at 0, 6, 12 and 21 %;
* 44: services to a taxable person in another member state, VAT reverse-charged there
  (Code TVA / BTW-Wetboek art. 21 § 2; UNCL5305 AE with an EU buyer);
* 47: other exempt operations and operations whose place of supply is abroad (services to a
  business outside the EU: category O on a sale, G);
* 48: credit notes on operations of grid 44 (and 46);
* 49: credit notes on other operations (grids 00-03, 45, 47);
* 54: VAT due on the operations of grids 01, 02, 03;
* 64: VAT to recover on credit notes issued.
Late-payment interest, reminder fees and recovery costs are compensation, outside the scope of
VAT (category O on the fees and interest accounts): in no grid.

The intra-community listing (listing intracommunautaire / intracommunautaire opgave): per
customer VAT number of another member state, the services of grid 44 less its credit notes
(code S; goods, code L, are not sold here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from termline.adapters.journal.entries import Entry
from termline.domain.errors import InputError
from termline.domain.mechanisms.tax.categories import EU, vat_country
from termline.domain.values.money import ZERO, fmt

RATE_GRIDS = {"S0": "00", "S6": "01", "S12": "02", "S21": "03"}
GRIDS = ("00", "01", "02", "03", "44", "47", "48", "49", "54", "64")


def quarter(text: str) -> tuple[date, date]:
    """`2027Q1` -> (2027-01-01, 2027-03-31)."""
    if len(text) != 6 or text[4] not in "Qq" or not text[:4].isdigit() or text[5] not in "1234":
        raise InputError(f"not a quarter (YYYYQn, e.g. 2027Q1): {text!r}", field="--quarter")
    year, n = int(text[:4]), int(text[5])
    start = date(year, 3 * n - 2, 1)
    end = date(year + (n == 4), 1 if n == 4 else 3 * n + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def _grid(entry: Entry) -> str | None:
    """The grid of a revenue line's taxable amount (None: outside the return)."""
    code = entry.vat_code or ""
    if entry.revenue in ("fees", "interest") and code == "O":
        return None  # compensation, not a supply
    if code in RATE_GRIDS:
        return RATE_GRIDS[code]
    if code == "AE":
        return "44"
    if code in ("O", "G", "E"):
        return "47"
    return None


def vat_report(entries: Iterable[Entry], start: date, end: date) -> dict[str, Any]:
    grids: dict[str, Decimal] = {g: ZERO for g in GRIDS}
    listing: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        if not (start <= e.date <= end) or e.kind not in ("invoice", "credit_note"):
            continue
        if e.role == "vat":
            if e.kind == "invoice":
                grids["54"] += e.credit - e.debit
            else:
                grids["64"] += e.debit - e.credit
            continue
        if e.role != "revenue":
            continue
        grid = _grid(e)
        if grid is None:
            continue
        if e.kind == "invoice":
            grids[grid] += e.credit - e.debit
        else:
            grids["48" if grid == "44" else "49"] += e.debit - e.credit
        if grid == "44" and e.customer_vat and vat_country(e.customer_vat) in EU:
            listing[e.customer_vat] += (e.credit - e.debit)
    return {"period": {"from": start.isoformat(), "to": end.isoformat()},
            "grids": {g: fmt(v) for g, v in grids.items() if v != ZERO},
            "intra_community_listing": [
                {"vat_number": number, "code": "S", "amount": fmt(amount)}
                for number, amount in sorted(listing.items())]}
