"""`make demo` writes each pack's invoices and credit notes as Peppol UBL and PDF: every one of
them passes both official rule sets (CEN EN 16931 and Peppol BIS 3.0)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from termline.adapters.documents.reader import read
from termline.adapters.documents.ubl import write
from termline.devtools.demo import pack_documents, run_pack, write_documents
from termline.domain.policy import BUILTIN_PACKS


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_every_demo_document_passes_both_official_rule_sets(pack: str, peppol: Any) -> None:
    """The demo's documents without the embedded PDF (the PDF attachment is checked on one
    pack below): zero fatal assertions, and each reads back with its own totals."""
    docs = pack_documents(pack)
    assert docs
    fatal: Counter[str] = Counter()
    for doc in docs:
        xml = write(doc)
        fatal.update(f"{doc.number} {a.id}: {a.text}" for a in peppol.fatal(xml))
        back = read(xml)
        assert (back.number, back.payable) == (doc.number, doc.totals.payable)
    assert not fatal, fatal


def test_demo_writes_pdf_and_ubl_with_the_pdf_embedded(tmp_path: Path,
                                                       valid: Callable[[bytes], None]) -> None:
    """Smartconnect (yearly invoices, 5 seats x 45.00 x 12 = 2,700.00; 21 % for the Belgian
    customer): out/smartconnect/<number>.pdf and .xml for each document, the XML valid with
    its PDF attached as the visual representation."""
    result, _, _ = run_pack("smartconnect")
    count = write_documents("smartconnect", result, tmp_path)
    folder = tmp_path / "smartconnect"
    xmls, pdfs = sorted(folder.glob("*.xml")), sorted(folder.glob("*.pdf"))
    assert count == len(xmls) == len(pdfs) > 0
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    first = read(xmls[0].read_bytes())
    assert (first.number, first.buyer.country, first.line_total, first.vat) == (
        "SC2027-000001", "BE", 2700, (("S", 21, 2700, 567),))
    for xml in xmls:
        data = xml.read_bytes()
        assert b'mimeCode="application/pdf"' in data
        valid(data)
