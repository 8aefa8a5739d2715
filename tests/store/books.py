"""Generated scenarios per pack, with the behaviours the store must reproduce."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import yaml

from termline.devtools.synthetic import scenario_document, synthetic_book, with_payments
from termline.domain.contract.model import Contract
from termline.domain.policy import load_pack


def shop_contract(ref: str) -> Contract:
    """A contract `ref` of a Danish customer of the same name: one shop at 50.00 a month from
    2027-01-04 (the store tests' smallest SmartWeb book)."""
    return Contract.model_validate({
        "id": ref, "customer": {"name": ref, "country": "DK"}, "start": "2027-01-04",
        "lines": [{"item": "Shop", "unit_price": "50.00", "per": "month", "quantity": 1}]})


def scenario_text(pack: str, seed: int = 7, until: str = "2028-03-31") -> str:
    """Six contracts: prepayer, never-payer, late partial payer, seats and notice, trial,
    and one that starts after `until` is reached by a first run."""
    rng = random.Random(f"{pack}-{seed}")
    policy = load_pack(pack)
    start = date(2027, 1, 1) + timedelta(days=rng.randint(0, 40))

    def day(offset: int) -> str:
        return (start + timedelta(days=offset)).isoformat()

    def line(price: str, qty: int = 1) -> str:
        return f'[{{item: Plan, unit_price: "{price}", per: month, quantity: {qty}}}]'

    contracts = [
        f"  - {{id: prepay, customer: {{name: Prepay}}, start: {day(0)}, lines: {line('40.00')}}}",
        f"  - {{id: nopay, customer: {{name: Nopay, country: BE}}, start: {day(3)}, "
        f"lines: {line('75.50', 2)}}}",
        f"  - {{id: late, customer: {{name: Late}}, start: {day(10)}, lines: {line('120.00')}}}",
        f"  - {{id: seats, customer: {{name: Seats}}, start: {day(20)}, "
        f"lines: {line('15.00', 5)}}}",
        f"  - {{id: later, customer: {{name: Later}}, start: {day(200)}, "
        f"lines: {line('60.00')}}}",
    ]
    events = [
        f'  - {{date: {day(0)}, type: payment, contract: prepay, amount: "20000.00"}}',
        f"  - {{date: {day(12)}, type: payment_failed, contract: nopay}}",
        f'  - {{date: {day(60)}, type: payment, contract: late, amount: "100.00"}}',
        f'  - {{date: {day(95)}, type: payment, contract: late, amount: "2500.00"}}',
        f'  - {{date: {day(20)}, type: payment, contract: seats, amount: "900.00"}}',
        f"  - {{date: {day(45)}, type: seat_change, contract: seats, item: Plan, quantity: 8}}",
        f"  - {{date: {day(130)}, type: seat_change, contract: seats, item: Plan, quantity: 2}}",
        f"  - {{date: {day(150)}, type: termination_notice, contract: seats, by: customer}}",
        f"  - {{date: {day(160)}, type: data_instruction, contract: seats, instruction: export}}",
        f'  - {{date: {day(210)}, type: payment, contract: later, amount: "700.00"}}',
    ]
    if policy.trial.offered:
        contracts.append(f"  - {{id: trial, customer: {{name: Trial}}, start: {day(5)}, "
                         f"trial_days: 14, lines: {line('30.00')}}}")
        events.append(f"  - {{date: {day(10)}, type: trial_converted, contract: trial}}")
        events.append(f'  - {{date: {day(30)}, type: payment, contract: trial, '
                      f'amount: "1000.00"}}')
    return (f"policy: {pack}\nuntil: {until}\ncontracts:\n" + "\n".join(contracts)
            + "\nevents:\n" + "\n".join(events) + "\n")


def synthetic_scenario(path: Path, contracts: int, until: date, seed: int = 7) -> Path:
    """A scenario file of the benchmarks' synthetic book (five packs, a year of start dates,
    on-time, late and never payers, notices, seat changes, trials) with its payments."""
    book = with_payments(synthetic_book(contracts, date(2027, 1, 1), seed), until)
    path.write_text(yaml.safe_dump(scenario_document(book, until), sort_keys=False), "utf-8")
    return path
