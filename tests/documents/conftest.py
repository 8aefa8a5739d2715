"""Document fixtures: the official validator compiled once per session, a seller profile."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from conftest import SHARED
from termline.documents.validate import Assertion, Validator

PROFILE = {
    "legal_name": "Smartconnect BV", "street": "Kerkstraat 1", "city": "Gent",
    "postal_code": "9000", "country": "BE", "vat_number": "BE 0403.019.261",
    "company_id": "0403.019.261", "iban": "BE35 3101 2345 6737", "bic": "BBRUBEBB",
    "peppol_id": "0208:0403019261", "invoice_prefix": "SC",
    "terms_url": "https://smartconnect.example/terms",
}


@pytest.fixture(scope="session")
def peppol() -> Validator:
    """CEN EN 16931 and Peppol BIS 3.0 rules from ../shared/peppol/xslt (compiled once)."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing under CI=true")
        pytest.skip(f"reference folder {SHARED} is absent")
    return Validator(SHARED / "peppol" / "xslt")


@pytest.fixture(scope="session")
def valid(peppol: Validator) -> Callable[[bytes], None]:
    """Assert a UBL document passes both rule sets without a fatal assertion."""

    def check(document: bytes) -> None:
        fatal: list[Assertion] = peppol.fatal(document)
        assert fatal == [], "\n".join(f"{a.rule_set} {a.id}: {a.text}" for a in fatal)

    return check
