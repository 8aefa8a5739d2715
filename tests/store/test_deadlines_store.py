"""`termline deadlines` from the store, `--within` and `--ics` (issue 4), on both databases.

The book: three Smartconnect contracts imported and run through 2027-04-01, looked at on that
day. Hand computations from the pack (src/termline/domain/policy/packs/smartconnect.yaml):
* `paid`, ordered 2027-03-15 (10.1: counted from the ordering date), 12-month terms: the term
  runs 2027-03-15 .. 2028-03-14; 10.1 "no later than 3 months before the commencement of a new
  subscription period": 2028-03-15 − 3 months = 2027-12-15. Billing in advance per 12 months
  on the period's first day (8.1, 10.4): next invoice 2028-03-15. It pays its first invoice
  in full on 2027-03-20: 12 x 100.00 = 1,200.00 + 21 % VAT = 1,452.00 (issue 17: the open
  item is the invoice total), so no dunning step is pending.
* `late`, ordered 2027-02-01, never pays: term 2027-02-01 .. 2028-01-31, notice deadline
  2028-02-01 − 3 months = 2027-11-01, next invoice 2028-02-01. Its invoice of 2027-02-01 is due
  30 days later (8.3), 2027-03-03; reminders 14 days apart from the due date (8.4, 8.6):
  2027-03-17, 2027-03-31, so the next step on 2027-04-01 is reminder_3 on 2027-04-14.
* `trial`, 14 trial days from 2027-03-25 (9.1, 9.2): the last trial day is 2027-04-07.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import icalendar
from typer.testing import CliRunner

from termline.adapters.files.calendar_export import PRODID, uid
from termline.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SMARTWEB = ROOT / "examples" / "smartweb.yaml"

BOOK = """\
policy: smartconnect
until: 2027-12-31
contracts:
  - id: paid
    customer: {name: Paid NV, country: BE}
    start: 2027-03-15
    lines: [{item: SmartConnect, unit_price: "100.00", per: month, quantity: 1}]
  - id: late
    customer: {name: Late NV, country: BE}
    start: 2027-02-01
    lines: [{item: SmartConnect, unit_price: "50.00", per: month, quantity: 1}]
  - id: trial
    customer: {name: Trial NV, country: BE}
    start: 2027-03-25
    trial_days: 14
    lines: [{item: SmartConnect, unit_price: "30.00", per: month, quantity: 1}]
events:
  - {date: 2027-03-20, type: payment, contract: paid, amount: "1452.00"}
"""

# (contract, kind, date) in the view's order: date, contract, kind. `paid` pays its year at its
# total, 1200.00 + 21 % Belgian VAT = 1452.00.
EXPECTED = [
    ("trial", "trial_end", "2027-04-07"),
    ("late", "next_dunning_step", "2027-04-14"),
    ("late", "notice_deadline", "2027-11-01"),
    ("paid", "notice_deadline", "2027-12-15"),
    ("late", "term_end", "2028-01-31"),
    ("late", "next_invoice", "2028-02-01"),
    ("paid", "term_end", "2028-03-14"),
    ("paid", "next_invoice", "2028-03-15"),
]


def invoke(db_url: str, *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url},
                              catch_exceptions=False)


def termline(db_url: str, *args: str) -> str:
    result = invoke(db_url, *args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _book(db_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "smartconnect.yaml"
    scenario.write_text(BOOK, "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-04-01")


def _rows(db_url: str, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(termline(db_url, "deadlines", *args,
                                                     "--format", "json"))
    return rows


def _triples(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["contract"], r["kind"], r["date"]) for r in rows]


def test_store_deadlines_are_the_hand_computed_dates(db_url: str, tmp_path: Path) -> None:
    """Issue 4: without a scenario `deadlines` reads the store; Smartconnect 10.1 (notice 3
    months before the next period), 8.1/10.4 (next invoice), 8.3/8.4 (reminder_3), 9.2
    (trial end); rows as the scenario version's plus `tenant`, by (date, contract, kind)."""
    _book(db_url, tmp_path)
    rows = _rows(db_url, "--on", "2027-04-01")
    assert _triples(rows) == EXPECTED
    assert {r["tenant"] for r in rows} == {"default"}
    notice = rows[3]
    assert notice == {"tenant": "default", "customer": "Paid NV", "contract": "paid",
                      "kind": "notice_deadline",
                      "date": "2027-12-15", "clauses": ["10.1"], "term_end": "2028-03-14"}
    dunning = rows[1]
    assert (dunning["step"], dunning["ref"], dunning["clauses"]) == \
        ("reminder_3", "late-0001", ["8.4", "8.6"])
    assert rows[0]["clauses"] == ["9.1", "9.2", "9.3"]
    # The same book as a scenario file gives the same rows, less the tenant.
    scenario = tmp_path / "smartconnect.yaml"
    from_file = _rows(db_url, str(scenario), "--on", "2027-04-01")
    assert sorted(from_file, key=lambda r: (r["date"], r["contract"], r["kind"])) == \
        [{k: v for k, v in r.items() if k != "tenant"} for r in rows]


def test_within_keeps_on_to_on_plus_within_inclusive(db_url: str, tmp_path: Path) -> None:
    """Issue 4 `--within 90d`: only deadlines in [ON, ON + WITHIN]. From 2027-04-01: 30d ends
    2027-05-01 (trial end and reminder_3 only); 6d ends on the trial's last day 2027-04-07,
    which is kept; 9 months ends 2028-01-01, after both notice deadlines, before the term ends."""
    _book(db_url, tmp_path)
    assert _triples(_rows(db_url, "--on", "2027-04-01", "--within", "30d")) == EXPECTED[:2]
    assert _triples(_rows(db_url, "--on", "2027-04-01", "--within", "30 days")) == EXPECTED[:2]
    assert _triples(_rows(db_url, "--on", "2027-04-01", "--within", "6d")) == EXPECTED[:1]
    assert _triples(_rows(db_url, "--on", "2027-04-01", "--within", "9 months")) == EXPECTED[:4]
    assert _triples(_rows(db_url, "--on", "2027-04-01", "--within", "1y")) == EXPECTED


def _events(path: Path) -> list[Any]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(cal["PRODID"]) == PRODID and str(cal["VERSION"]) == "2.0"
    return list(cal.walk("VEVENT"))


def test_ics_export_parses_back_and_is_byte_stable(db_url: str, tmp_path: Path) -> None:
    """Issue 4 `--ics FILE`: one all-day VEVENT per deadline (DTSTART the date, VALUE=DATE),
    UIDs from (tenant, contract, kind, date), DTSTAMP from ON: two exports, same bytes."""
    _book(db_url, tmp_path)
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    rows = _rows(db_url, "--on", "2027-04-01", "--ics", str(first))
    termline(db_url, "deadlines", "--on", "2027-04-01", "--ics", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert b"DTSTART;VALUE=DATE:20271215\r\n" in first.read_bytes()
    events = _events(first)
    starts = [ev.decoded("DTSTART") for ev in events]
    assert all(type(d) is date for d in starts)  # all-day: a date, not a date-time
    assert [(d.isoformat()) for d in starts] == [day for *_, day in EXPECTED]
    assert [str(ev["UID"]) for ev in events] == \
        [uid("default", c, k, d) for c, k, d in EXPECTED]
    assert len({str(ev["UID"]) for ev in events}) == len(EXPECTED)
    assert {ev.decoded("DTSTAMP") for ev in events} == {datetime(2027, 4, 1, tzinfo=UTC)}
    notice = events[3]
    assert str(notice["SUMMARY"]) == "Last day to give notice — Paid NV (paid)"
    assert "Clauses: 10.1" in str(notice["DESCRIPTION"])
    assert "term_end: 2028-03-14" in str(notice["DESCRIPTION"])
    assert str(events[1]["SUMMARY"]) == "Next dunning step (reminder_3) — Late NV (late)"
    assert len(rows) == len(events)
    # A later export keeps each deadline's UID: the calendar updates instead of doubling.
    third = tmp_path / "c.ics"
    termline(db_url, "deadlines", "--on", "2027-04-02", "--within", "30d", "--ics", str(third))
    assert [str(ev["UID"]) for ev in _events(third)] == \
        [uid("default", c, k, d) for c, k, d in EXPECTED[:2]]


def test_tenant_filter_and_errors(db_url: str, tmp_path: Path) -> None:
    """Issue 4 `[--tenant T]`: SmartWeb 14.1 for the second tenant's `acme` (notice 2027-06-19,
    the day before the 2027-06-20 invoice of the period from 2027-07-04); bad options exit 2
    naming the option."""
    _book(db_url, tmp_path)
    termline(db_url, "tenant", "add", "acme-provider", "--timezone", "Europe/Brussels")
    termline(db_url, "import", str(SMARTWEB), "--tenant", "acme-provider")
    termline(db_url, "run", "--until", "2027-05-01")
    mine = _rows(db_url, "--tenant", "acme-provider", "--on", "2027-05-01")
    assert _triples(mine) == [("acme", "notice_deadline", "2027-06-19"),
                              ("acme", "next_invoice", "2027-06-20"),
                              ("acme", "term_end", "2027-07-03")]
    assert {r["tenant"] for r in mine} == {"acme-provider"}
    # Issue 8, one tenant rule: with two tenants, no --tenant is an error that lists them.
    both = invoke(db_url, "deadlines", "--on", "2027-05-01")
    assert both.exit_code == 2
    assert "2 tenants (acme-provider, default)" in both.stderr and "--tenant" in both.stderr
    for args, option in ((["--within", "2 business days"], "--within"),
                         (["--within", "soon"], "--within"),
                         (["--tenant", "nobody"], "--tenant"),
                         ([str(SMARTWEB), "--tenant", "acme-provider"], "--tenant"),
                         (["--on", "01/05/2027"], "--on")):
        result = invoke(db_url, "deadlines", *args)
        assert result.exit_code == 2, (args, result.output)
        assert option in result.stderr


def test_scenario_file_with_within_and_ics(tmp_path: Path) -> None:
    """Issue 4: with a scenario file `deadlines` behaves as before, and `--within`/`--ics` work
    too. SmartWeb 14.1/4.1 (see tests/test_cli.py): acme's notice deadline 2027-06-19 and next
    invoice 2027-06-20 are within 60 days of 2027-05-01 (2027-06-30), its term end 2027-07-03
    is not."""
    path = tmp_path / "smartweb.ics"
    result = CliRunner().invoke(app, ["deadlines", str(SMARTWEB), "--on", "2027-05-01",
                                      "--within", "60d", "--ics", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["date"]) for r in rows if r["contract"] == "acme"] == \
        [("notice_deadline", "2027-06-19"), ("next_invoice", "2027-06-20")]
    events = _events(path)
    assert [(ev.decoded("DTSTART").isoformat(), str(ev["UID"])) for ev in events] == \
        [(r["date"], uid("", r["contract"], r["kind"], r["date"])) for r in rows]
    assert "Last day to give notice — Acme ApS (acme)" in [str(ev["SUMMARY"]) for ev in events]
    again = tmp_path / "again.ics"
    CliRunner().invoke(app, ["deadlines", str(SMARTWEB), "--on", "2027-05-01",
                             "--within", "60d", "--ics", str(again)])
    assert again.read_bytes() == path.read_bytes()
