"""Payment references: the Belgian OGM/VCS check digits and the EPC QR code's payload."""

from __future__ import annotations

from decimal import Decimal

import pytest

from termline.adapters.documents.references import epc_payload, epc_qr, ogm, ogm_digits, structured


def test_ogm_check_digits_are_the_first_ten_digits_mod_97() -> None:
    """SC2027-000001 -> 2027000001; 2,027,000,001 = 97 x 20,896,907 + 22 -> check 22:
    +++202/7000/00122+++. A remainder of 0 gives 97: 0000000097 = 97 x 1 + 0 -> 97."""
    assert ogm_digits("SC2027-000001") == "202700000122"
    assert ogm("SC2027-000001") == "+++202/7000/00122+++"
    assert ogm_digits("INV000097") == "000000009797"
    # the form a bank reports (12 digits, or with the +++ and slashes) is found back
    assert structured("202700000122") == structured("+++202/7000/00122+++") == "202700000122"
    assert structured("202700000123") is None  # wrong check digits


def test_epc_qr_payload_is_the_epc069_12_version_002_text() -> None:
    """EPC069-12: BCD, version 002, character set 1 (UTF-8), SCT, BIC, name, IBAN, EUR amount,
    purpose, structured reference, remittance text; one field per line."""
    payload = epc_payload("Smartconnect BV", "BE35310123456737", Decimal("284.36"),
                          "+++202/7000/00122+++", "BBRUBEBB")
    assert payload == ("BCD\n002\n1\nSCT\nBBRUBEBB\nSmartconnect BV\nBE35310123456737\n"
                       "EUR284.36\n\n\n+++202/7000/00122+++")
    qr = epc_qr(payload)
    assert qr.error == "M" and qr.version <= 13
    with pytest.raises(ValueError):
        epc_payload("X", "BE35310123456737", Decimal("0.00"), "x")
