"""The contracts the run decodes are kept by their stored text (`store_records.contract_document`):
a document stored with other content is validated anew, an invalid one is never kept, and the
store holds at most DOCUMENTS_KEPT of them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from termline.adapters.sql import store_records
from termline.adapters.sql.store_records import contract_document
from termline.domain.contract.model import Contract


def _document(price: str, ref: str = "c-cache-1") -> str:
    return Contract.model_validate({
        "id": ref, "customer": {"name": "Cache Test"}, "start": "2027-01-01",
        "lines": [{"item": "seat", "unit_price": price, "quantity": 3}],
    }).model_dump_json(by_alias=True)


@pytest.fixture(autouse=True)
def _empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_records, "_documents", {})


def test_the_same_text_is_validated_once_and_equals_a_fresh_parse() -> None:
    text = _document("45.00")
    first = contract_document(text)
    assert contract_document(text) is first
    assert first == Contract.model_validate_json(text)
    assert str(first.lines[0].unit_price) == "45.00"


def test_a_document_stored_again_with_other_content_is_read_anew() -> None:
    """The same contract (same ref) corrected to 50.00 a seat: its new text is another key."""
    before = contract_document(_document("45.00"))
    after = contract_document(_document("50.00"))
    assert str(before.lines[0].unit_price) == "45.00"
    assert str(after.lines[0].unit_price) == "50.00"
    assert before.id == after.id == "c-cache-1"


def test_a_text_that_does_not_validate_raises_every_time_and_is_not_kept() -> None:
    bad = _document("45.00").replace('"45.00"', '"-45.00"')
    for _ in range(2):
        with pytest.raises(ValidationError):
            contract_document(bad)
    assert bad not in store_records._documents


def test_past_the_bound_new_documents_are_validated_and_not_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_records, "DOCUMENTS_KEPT", 2)
    texts = [_document("45.00", f"c-cache-{i}") for i in range(3)]
    found = [contract_document(t) for t in texts]
    assert [c.id for c in found] == ["c-cache-0", "c-cache-1", "c-cache-2"]
    assert list(store_records._documents) == texts[:2]
    assert contract_document(texts[2]) is not found[2]  # validated again, equal
    assert contract_document(texts[2]) == found[2]
