"""The command line: JSON shapes, table output, and errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from termline.domain.policy import BUILTIN_PACKS
from termline.entrypoints.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "smartweb.yaml"
runner = CliRunner()


def test_simulate_json_has_actions_in_date_order_and_balances() -> None:
    """SmartWeb 4.1/4.2: acme's first invoice is 6 x 50.00 = 300.00, due 8 days later; with
    25 % Danish moms its total, the open item, is 375.00 (issue 17)."""
    result = runner.invoke(app, ["simulate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    dates = [a["date"] for a in data["actions"]]
    assert dates == sorted(dates)
    first = next(a for a in data["actions"] if a["kind"] == "invoice_issued"
                 and a["contract"] == "acme")
    assert first == {"date": "2027-01-04", "kind": "invoice_issued", "contract": "acme",
                     "clauses": ["4.1", "4.2"], "ref": "acme-0001", "amount": "300.00",
                     "vat": "75.00", "total": "375.00", "vat_category": "S 25",
                     "due_date": "2027-01-12", "period_start": "2027-01-04",
                     "period_end": "2027-07-03", "invoice_kind": "subscription",
                     "currency": "EUR"}
    nopay = next(b for b in data["balances"] if b["contract"] == "nopay")
    # 600.00 + 25 % moms = 750.00 principal (issue 17), two EUR 14 reminder fees, 1.5 %/month
    # compound for 11 completed months after the due date 2027-01-09 on the amount due incl.
    # VAT: 750 x (1.015^11 - 1) = 133.4612 -> 133.46; 750 + 28 + 133.46 = 911.46.
    assert nopay == {"contract": "nopay", "principal": "750.00", "fees": "28.00",
                     "interest": "133.46", "total": "911.46", "credit": "0.00",
                     "currency": "EUR"}


def test_simulate_until_cuts_the_horizon() -> None:
    result = runner.invoke(app, ["simulate", str(EXAMPLE), "-f", "json", "--until", "2027-01-31"])
    assert result.exit_code == 0
    assert max(a["date"] for a in json.loads(result.stdout)["actions"]) <= "2027-01-31"


def test_simulate_table_renders() -> None:
    result = runner.invoke(app, ["simulate", str(EXAMPLE)])
    assert result.exit_code == 0
    assert "invoice_issued" in result.stdout and "Open balances" in result.stdout


def test_deadlines_json() -> None:
    """SmartWeb 14.1: the period 2 invoice goes out 2027-06-20 (14 days before 2027-07-04), so the
    last notice day that ends the first period on 2027-07-03 is 2027-06-19."""
    result = runner.invoke(app, ["deadlines", str(EXAMPLE), "--on", "2027-05-01", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout) if r["contract"] == "acme"]
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["notice_deadline"]["date"] == "2027-06-19"
    assert by_kind["notice_deadline"]["clauses"] == ["14.1"]
    assert by_kind["term_end"]["date"] == "2027-07-03"
    assert by_kind["next_invoice"]["date"] == "2027-06-20"


def test_scenario_error_exits_2_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("type: seat_change", "type: seat_swap"))
    result = runner.invoke(app, ["simulate", str(bad)])
    assert result.exit_code == 2
    assert "line 17" in result.stderr and "seat_swap" in result.stderr


def test_policy_check_ok_and_error(tmp_path: Path) -> None:
    pack = ROOT / "src/termline/domain/policy/packs/smartweb.yaml"
    ok = runner.invoke(app, ["policy", "check", str(pack)])
    assert ok.exit_code == 0 and "valid policy" in ok.stdout
    bad = tmp_path / "p.yaml"
    bad.write_text(pack.read_text().replace("currency: EUR", "currency: [EUR]"))
    failed = runner.invoke(app, ["policy", "check", str(bad)])
    assert failed.exit_code == 2
    assert "field 'currency'" in failed.stderr


def test_policy_coverage_json_lists_status_and_evidence() -> None:
    for pack in BUILTIN_PACKS:
        result = runner.invoke(app, ["policy", "coverage", pack, "--format", "json"])
        assert result.exit_code == 0
        rows = json.loads(result.stdout)
        assert rows, pack
        for row in rows:
            assert row["status"] in ("implemented", "later", "not_operational")
            assert ("test" in row) if row["status"] == "implemented" else ("reason" in row or
                                                                           "mechanism" in row)


def test_policy_show_json_cites_clauses() -> None:
    result = runner.invoke(app, ["policy", "show", "smartweb", "-f", "json"])
    rules = {r["rule"]: r for r in json.loads(result.stdout)["rules"]}
    assert rules["payment"]["clauses"] == ["4.2"]
    assert rules["payment"]["parameters"]["term"] == "8 days"
    assert rules["dunning.steps.reminder_1"]["parameters"]["fee"] == "14.00"


def test_unknown_pack_is_an_error() -> None:
    result = runner.invoke(app, ["policy", "show", "nosuchpack"])
    assert result.exit_code == 2
    assert "nosuchpack" in result.stderr


def test_demo_writes_a_timeline_per_pack(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--no-documents"])
    assert result.exit_code == 0, result.output
    for pack in BUILTIN_PACKS:
        data = json.loads((tmp_path / f"{pack}.json").read_text())
        kinds = {a["kind"] for a in data["actions"]}
        assert {"invoice_issued", "payment_applied", "contract_terminated"} <= kinds, pack
    # A liability cap per pack for the on-time payer, event on the last day 2028-12-31.
    # Smartconnect 13.5: licence fees paid 2027-12-31 .. 2028-12-30: the 2028 yearly invoice
    # after indexation, 46.26 x 5 seats x 12 months = 2775.60 (< EUR 10,000).
    # SuperOffice 7: one Contracttermijn (12 months) of the price list, 4 x 55.00 x 12 = 2640.00.
    caps = {s["pack"]: s["liability"]
            for s in json.loads((tmp_path / "summary.json").read_text())}
    assert set(caps) == set(BUILTIN_PACKS)
    assert all(c["contract"] == "ontime" and c["on"] == "2028-12-31" and c["clauses"]
               for c in caps.values())
    assert (caps["smartconnect"]["cap"], caps["smartconnect"]["clauses"]) == ("2775.60", ["13.5"])
    assert (caps["superoffice"]["cap"], caps["superoffice"]["clauses"]) == ("2640.00", ["7"])
    assert "Liability cap" in result.output
