"""A seller profile for document tests (the validator fixtures are in tests/conftest.py)."""

from __future__ import annotations

PROFILE = {
    "legal_name": "Smartconnect BV", "street": "Kerkstraat 1", "city": "Gent",
    "postal_code": "9000", "country": "BE", "vat_number": "BE 0403.019.261",
    "company_id": "0403.019.261", "iban": "BE35 3101 2345 6737", "bic": "BBRUBEBB",
    "peppol_id": "0208:0403019261", "invoice_prefix": "SC",
    "terms_url": "https://smartconnect.example/terms",
}


