"""ClientCom BV (seed 001, Belgian law): scenarios with every date and amount worked out by hand.

Pack readings used below (see the notes in clientcom.yaml): the contract starts on acceptance,
the first term is 1 month by default and renews monthly (6.1, 6.2). Each month is invoiced on its
first day and due 30 days later (5.2). The notice of default goes out on due + 14 (5.3). Access
is blocked on due + 31 after a failed direct debit (5.2). Interest is 2 % per started month from
the due date, once the notice of default has gone out (5.3). The data stays export-only for
2 months after termination and is deleted the day after (7.5).
"""

from __future__ import annotations

from datetime import date

from scenario_helpers import actions, balance, kinds, one, run
from termline.domain.policy import load_pack

CUSTOMER = "{name: Voicemail Partners BV, country: BE, email: billing@vp.example}"


def _scenario(contracts: str, events: str = "", until: str = "2027-12-31") -> str:
    return f"""
policy: clientcom
until: {until}
contracts:
{contracts}
events:
{events or "  []"}
"""


def _contract(cid: str, start: str, price: str = "50.00", overrides: str = "{}") -> str:
    return f"""  - id: {cid}
    customer: {CUSTOMER}
    start: {start}
    overrides: {overrides}
    lines:
      - {{item: ClientCom Smart Voicemail, unit_price: "{price}", per: month, quantity: 1}}
"""


def test_good_payer_is_invoiced_and_renewed_monthly_for_24_months() -> None:
    """5.1, 5.2, 6.1, 6.2: start on acceptance, one invoice per month, renewed per month.

    Start 2027-01-04 (acceptance). First term 1 month: 2027-01-04 .. 2027-02-03.
    Invoices on the 4th of every month, 2027-01-04 .. 2028-12-04 = 24 invoices of 50.00.
    Due = invoice + 30 days: 2027-01-04 + 30 = 2027-02-03; 2028-12-04 + 30 = 2029-01-03.
    Renewals on the day after each term: the 4th of 2027-02 .. 2028-12 = 23 renewals;
    the last term is 2028-12-04 .. 2029-01-03. The debit is paid on each invoice date: the
    invoice's total, 50.00 + 21 % Belgian VAT (10.50) = 60.50 (the open item is the document).
    """
    months = [date(2027 + m // 12, m % 12 + 1, 4) for m in range(24)]
    events = "".join(
        f'  - {{date: {d.isoformat()}, type: payment, contract: good, amount: "60.50"}}\n'
        for d in months)
    result = run(_scenario(_contract("good", "2027-01-04"), events, until="2028-12-31"))

    started = one(result, "good", "contract_started")
    assert started["date"] == "2027-01-04"
    assert started["term_start"] == "2027-01-04" and started["term_end"] == "2027-02-03"
    assert started["clauses"] == ["6.1", "5.1", "6.2"]

    invoices = actions(result, "good", "invoice_issued")
    assert [i["date"] for i in invoices] == [d.isoformat() for d in months]
    assert {(i["amount"], i["vat"], i["total"]) for i in invoices} == {
        ("50.00", "10.50", "60.50")}
    assert invoices[0]["due_date"] == "2027-02-03"
    assert invoices[0]["period_start"] == "2027-01-04" and invoices[0]["period_end"] == "2027-02-03"
    assert invoices[-1]["due_date"] == "2029-01-03"
    assert invoices[0]["clauses"] == ["5.1", "5.2"]

    renewals = actions(result, "good", "contract_renewed")
    assert [r["date"] for r in renewals] == [d.isoformat() for d in months[1:]]
    assert renewals[-1]["term_start"] == "2028-12-04"
    assert renewals[-1]["term_end"] == "2029-01-03"
    assert renewals[0]["clauses"] == ["6.1", "6.2"]

    assert not {"default_notice_sent", "access_suspended", "interest_charged",
                "collection_costs_charged", "contract_terminated"} & set(kinds(result, "good"))
    assert balance(result, "good")["total"] == "0.00"


def test_never_payer_gets_default_notice_then_block_after_failed_debit() -> None:
    """5.2, 5.3: notice of default on due + 14, access blocked on due + 31 after a failed debit.

    Start 2027-01-04, 50.00 a month. Invoices 2027-01-04 (due 02-03), 2027-02-04 (due 03-06),
    2027-03-04 (due 04-03).
    Notice of default (5.3): 02-03 + 14 = 2027-02-17; 03-06 + 14 = 2027-03-20.
    Block (5.2, 'thirty days after the claim has become due'): 02-03 + 30 = 03-05 has run out,
    blocked on 2027-03-06. The debit failed on 2027-02-03.
    Contract 'nofail' has the same invoices but no failed debit: it is never blocked under 5.2.
    Balance on 2027-03-31: principal 3 x (50.00 + 21 % VAT) = 3 x 60.50 = 181.50 (the
    receivable is the invoice's total). Interest on the amount due including VAT (2 % per
    started month from the due date, only after the notice; docs/readings.md): invoice 1,
    02-03 .. 03-31 = 1 month + 28 days = 2 months, 60.50 x 2 % x 2 = 2.42; invoice 2,
    03-06 .. 03-31 = 1 started month, 60.50 x 2 % = 1.21; invoice 3 is not due yet.
    Interest 3.63, total 185.13. Collection is off by default.
    """
    contracts = _contract("never", "2027-01-04") + _contract("nofail", "2027-01-04")
    events = """
  - {date: 2027-02-03, type: payment_failed, contract: never}
  - {date: 2027-03-06, type: payment_failed, contract: never}
"""
    result = run(_scenario(contracts, events, until="2027-03-31"))

    notices = actions(result, "never", "default_notice_sent")
    assert [(n["date"], n["ref"]) for n in notices] == [
        ("2027-02-17", "never-0001"), ("2027-03-20", "never-0002")]
    assert notices[0]["clauses"] == ["5.3"]

    blocked = one(result, "never", "access_suspended")
    assert blocked["date"] == "2027-03-06" and blocked["ref"] == "never-0001"
    assert blocked["clauses"] == ["5.2"]
    assert result.states["never"].access == "suspended"

    assert "access_suspended" not in kinds(result, "nofail")
    assert [n["date"] for n in actions(result, "nofail", "default_notice_sent")] == [
        "2027-02-17", "2027-03-20"]

    assert "collection_costs_charged" not in kinds(result, "never")
    assert balance(result, "never") == {
        "contract": "never", "principal": "181.50", "fees": "0.00", "interest": "3.63",
        "total": "185.13", "credit": "0.00", "currency": "EUR"}


def test_paying_the_blocked_claim_restores_access() -> None:
    """5.2 (restore_on principal_paid) and 5.3: paying the blocked claim lifts the block.

    As above: invoice 1 due 2027-02-03, debit failed that day, notice of default 02-17, blocked
    on 2027-03-06. Payment of 60.50 (50.00 + 21 % VAT) on 2027-03-20 pays invoice 1 (oldest
    first): access restored that day. Interest charged at settlement on the amount due
    including VAT: 02-03 .. 03-20 = 1 month + 17 days = 2 started months, 60.50 x 2 % x 2 = 2.42.
    """
    events = """
  - {date: 2027-02-03, type: payment_failed, contract: late}
  - {date: 2027-03-20, type: payment, contract: late, amount: "60.50"}
"""
    result = run(_scenario(_contract("late", "2027-01-04"), events, until="2027-03-20"))
    assert one(result, "late", "access_suspended")["date"] == "2027-03-06"
    restored = one(result, "late", "access_restored")
    assert restored["date"] == "2027-03-20" and restored["clauses"] == ["5.2"]
    interest = one(result, "late", "interest_charged")
    assert (interest["date"], interest["invoice"], interest["amount"]) == (
        "2027-03-20", "late-0001", "2.42")


def test_late_payer_after_default_notice_pays_2_percent_per_started_month() -> None:
    """5.3: the catalogue example. Principal 500, due 15 March, paid 20 May: 3 months, on the
    amount due including VAT: 500.00 + 21 % = 605.00 x 2 % x 3 = 36.30 (docs/readings.md).

    Start 2027-02-13; invoice 1 on 2027-02-13, due + 30 days = 2027-03-15 (Feb 2027 has 28 days).
    Notice of default on 03-15 + 14 = 2027-03-29. Paid (605.00) on 2027-05-20: 03-15 .. 05-20 =
    2 months + 5 days = 3 started months; 605.00 x 2 % x 3 = 36.30.
    Contract 'dayafter': same invoice, paid on 2027-03-30, the day after the notice of default:
    03-15 .. 03-30 = 1 started month; 605.00 x 2 % = 12.10.
    """
    contracts = _contract("late", "2027-02-13", "500.00") + _contract(
        "dayafter", "2027-02-13", "500.00")
    events = """
  - {date: 2027-05-20, type: payment, contract: late, amount: "605.00"}
  - {date: 2027-03-30, type: payment, contract: dayafter, amount: "605.00"}
"""
    result = run(_scenario(contracts, events, until="2027-05-31"))

    first = actions(result, "late", "invoice_issued")[0]
    assert (first["date"], first["due_date"], first["amount"]) == (
        "2027-02-13", "2027-03-15", "500.00")
    assert actions(result, "late", "default_notice_sent")[0]["date"] == "2027-03-29"
    interest = one(result, "late", "interest_charged")
    assert (interest["date"], interest["invoice"], interest["amount"]) == (
        "2027-05-20", "late-0001", "36.30")
    assert interest["clauses"] == ["5.3"]

    interest = one(result, "dayafter", "interest_charged")
    assert (interest["date"], interest["invoice"], interest["amount"]) == (
        "2027-03-30", "dayafter-0001", "12.10")


def test_late_payer_paying_before_the_default_notice_owes_no_interest() -> None:
    """5.3: interest is only owed once the User is in default after the notice of default.

    Invoice 2027-02-13, due 2027-03-15, notice of default would go out on 2027-03-29.
    Paid 2027-03-28 (13 days late, one day before the notice): no notice, no interest. The
    invoice's total is 500.00 + 21 % VAT = 605.00.
    """
    events = '  - {date: 2027-03-28, type: payment, contract: early, amount: "605.00"}\n'
    result = run(_scenario(_contract("early", "2027-02-13", "500.00"), events,
                           until="2027-04-10"))
    assert actions(result, "early", "payment_applied")[0]["ref"] == "early-0001"
    assert "default_notice_sent" not in kinds(result, "early")
    assert "interest_charged" not in kinds(result, "early")
    # Invoice 2 (2027-03-13, due 2027-04-12) is still open and not yet due on 2027-04-10.
    assert balance(result, "early")["interest"] == "0.00"
    assert balance(result, "early")["principal"] == "605.00"


def test_collection_costs_of_15_percent_when_switched_on() -> None:
    """5.4: extrajudicial costs of 15 % of the principal, 30 days after the notice of default.

    The step has no trigger in the terms, so it is off by default; this contract switches it on.
    Start 2027-01-04, 200.00 a month. Invoice 1 due 2027-02-03, notice of default 2027-02-17,
    collection 02-17 + 30 days = 2027-03-19: 15 % of the principal due, the invoice's total
    200.00 + 21 % VAT = 242.00: 36.30.
    Invoice 2 due 2027-03-06, notice 03-20, collection 04-19 (after the horizon 2027-03-31).
    """
    contract = _contract("coll", "2027-01-04", "200.00",
                         '{"dunning.steps.collection.enabled": true}')
    result = run(_scenario(contract, until="2027-03-31"))
    costs = one(result, "coll", "collection_costs_charged")
    assert (costs["date"], costs["ref"], costs["amount"]) == ("2027-03-19", "coll-0001", "36.30")
    assert costs["clauses"] == ["5.4", "5.2"]
    assert balance(result, "coll")["fees"] == "36.30"


def test_customer_notice_mid_month_ends_the_contract_at_month_end() -> None:
    """6.2: 'The cancellation shall be effected at the end of the month' of the cancellation.

    Start 2027-01-04; the 1-month initial term ended 2027-02-03. Notice received 2027-05-15:
    effective at the end of May, 2027-05-31. Invoices: the 4th of Jan .. May = 5 (the period
    starting 2027-06-04 is after the end). The May period (05-04 .. 06-03) is not refunded.
    A notice on the last day of a month (contract 'lastday', 2027-06-30) ends it that day.
    """
    contracts = _contract("cancel", "2027-01-04") + _contract("lastday", "2027-01-04")
    events = """
  - {date: 2027-05-15, type: termination_notice, contract: cancel, by: customer}
  - {date: 2027-06-30, type: termination_notice, contract: lastday, by: customer}
"""
    result = run(_scenario(contracts, events))
    notice = one(result, "cancel", "termination_notice_received")
    assert notice["effective_date"] == "2027-05-31" and notice["clauses"] == ["6.2"]
    ended = one(result, "cancel", "contract_terminated")
    assert (ended["date"], ended["effective_date"], ended["reason"]) == (
        "2027-05-31", "2027-05-31", "notice")
    assert [i["date"] for i in actions(result, "cancel", "invoice_issued")] == [
        "2027-01-04", "2027-02-04", "2027-03-04", "2027-04-04", "2027-05-04"]

    assert one(result, "lastday", "contract_terminated")["effective_date"] == "2027-06-30"


def test_customer_notice_during_12_month_initial_term_ends_the_initial_term() -> None:
    """6.1 / 6.2 (ambiguity register #28): T = max(end of notice month, end of initial term).

    Agreed duration 12 months (term.initial override): 2027-01-04 .. 2028-01-03. Notice received
    2027-05-15: the end of May is before the end of the initial term, so the contract ends on
    2028-01-03. Invoices the 4th of 2027-01 .. 2027-12 = 12; no renewal before the end.
    """
    contract = _contract("fixed", "2027-01-04", overrides='{"term.initial": "12 months"}')
    events = "  - {date: 2027-05-15, type: termination_notice, contract: fixed, by: customer}\n"
    result = run(_scenario(contract, events, until="2028-03-31"))
    started = one(result, "fixed", "contract_started")
    assert started["term_end"] == "2028-01-03"
    assert one(result, "fixed", "termination_notice_received")["effective_date"] == "2028-01-03"
    assert one(result, "fixed", "contract_terminated")["effective_date"] == "2028-01-03"
    assert len(actions(result, "fixed", "invoice_issued")) == 12
    assert actions(result, "fixed", "invoice_issued")[-1]["date"] == "2027-12-04"
    assert "contract_renewed" not in kinds(result, "fixed")


def test_provider_notice_ends_the_contract_two_months_later() -> None:
    """6.3: ClientCom may terminate with a notice period of two months, not aligned to a month.

    Start 2027-01-04. Notice given 2027-03-10: T = 2027-03-10 + 2 months = 2027-05-10.
    Invoices on the 4th of Jan .. May = 5 (the May period starts 05-04, before T; not prorated,
    see the no_refund note). Export-only until T + 2 months = 2027-07-10.
    """
    events = "  - {date: 2027-03-10, type: termination_notice, contract: prov, by: provider}\n"
    result = run(_scenario(_contract("prov", "2027-01-04"), events))
    notice = one(result, "prov", "termination_notice_received")
    assert notice["effective_date"] == "2027-05-10" and notice["clauses"] == ["6.3"]
    ended = one(result, "prov", "contract_terminated")
    assert (ended["date"], ended["reason"], ended["export_until"]) == (
        "2027-05-10", "provider_notice", "2027-07-10")
    assert len(actions(result, "prov", "invoice_issued")) == 5


def test_provider_termination_is_immediate() -> None:
    """6.4, 9.5: termination by written statement with immediate effect on a breach.

    Start 2027-01-04; statement on 2027-03-10: the contract ends that day. No invoice after the
    one of 2027-03-04. Portability (7.5) still applies: export until 2027-05-10, deletion on
    2027-05-11.
    """
    events = ("  - {date: 2027-03-10, type: provider_termination, contract: breach, "
              "reason: misuse of the platform}\n")
    result = run(_scenario(_contract("breach", "2027-01-04"), events))
    ended = one(result, "breach", "contract_terminated")
    assert (ended["date"], ended["reason"], ended["export_until"]) == (
        "2027-03-10", "breach", "2027-05-10")
    assert ended["clauses"] == ["6.4", "9.5"]
    assert actions(result, "breach", "invoice_issued")[-1]["date"] == "2027-03-04"
    assert one(result, "breach", "data_deletion_scheduled")["delete_on"] == "2027-05-11"


def test_data_is_export_only_for_two_months_then_deleted() -> None:
    """7.5: the Data stays available for two months after termination, for an export only.

    Notice 2027-05-15, T = 2027-05-31. Export until T + 2 months = 2027-07-31, deleted the day
    after: 2027-08-01. An export asked on 2027-06-10 is accepted; one on 2027-08-02 is refused.
    """
    events = """
  - {date: 2027-05-15, type: termination_notice, contract: data, by: customer}
  - {date: 2027-06-10, type: data_instruction, contract: data, instruction: export}
  - {date: 2027-08-02, type: data_instruction, contract: data, instruction: export}
"""
    result = run(_scenario(_contract("data", "2027-01-04"), events))
    assert one(result, "data", "contract_terminated")["export_until"] == "2027-07-31"
    scheduled = one(result, "data", "data_deletion_scheduled")
    assert scheduled["delete_on"] == "2027-08-01" and scheduled["clauses"] == ["7.5"]
    assert one(result, "data", "data_export_requested")["date"] == "2027-06-10"
    deleted = one(result, "data", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2027-08-01", "retention_period_ended")
    refused = one(result, "data", "event_refused")
    assert refused["date"] == "2027-08-02" and refused["reason"] == "data already deleted"


def test_deletion_on_instruction_before_and_after_termination() -> None:
    """7.6: no retention obligation, so a User's deletion request is honoured.

    'after': T = 2027-05-31 (notice 2027-05-15); deletion asked 2027-06-10: deleted that day,
    not on the scheduled 2027-08-01.
    'before': deletion asked 2027-05-20 during the contract: deleted at T, 2027-05-31.
    """
    contracts = _contract("after", "2027-01-04") + _contract("before", "2027-01-04")
    events = """
  - {date: 2027-05-15, type: termination_notice, contract: after, by: customer}
  - {date: 2027-06-10, type: data_instruction, contract: after, instruction: delete}
  - {date: 2027-05-15, type: termination_notice, contract: before, by: customer}
  - {date: 2027-05-20, type: data_instruction, contract: before, instruction: delete}
"""
    result = run(_scenario(contracts, events))
    deleted = one(result, "after", "data_deleted")
    assert (deleted["date"], deleted["basis"], deleted["clauses"]) == (
        "2027-06-10", "customer_instruction", ["7.6"])
    deleted = one(result, "before", "data_deleted")
    assert (deleted["date"], deleted["basis"]) == ("2027-05-31", "customer_instruction")
    assert one(result, "before", "data_deletion_instructed")["date"] == "2027-05-20"


def test_governing_law_and_venue_metadata() -> None:
    """16.1 / 16.2: Belgian law, disputes to the Court of Antwerp."""
    policy = load_pack("clientcom")
    assert policy.source.governing_law == "BE"
    assert policy.source.venue == "Court of Antwerp"
    assert policy.source.law_clause == ("16.1", "16.2")
    assert (policy.currency, policy.timezone, policy.calendar) == ("EUR", "Europe/Brussels", "BE")
