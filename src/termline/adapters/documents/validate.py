"""Validation of UBL documents against the official rule sets (CEN EN 16931 and Peppol BIS
3.0), compiled XSLT 2.0 run with Saxon-HE (saxonche). Compiling takes a second: build one
`Validator` and reuse it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from saxonche import PySaxonProcessor

SVRL = "http://purl.oclc.org/dsdl/svrl"
RULE_SETS = ("CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt")


@dataclass(frozen=True, slots=True)
class Assertion:
    rule_set: str
    id: str
    flag: str  # fatal | warning
    location: str
    text: str


class Validator:
    """Both official rule sets, compiled once from the folder holding their XSLT files."""

    def __init__(self, xslt_dir: Path) -> None:
        self._proc = PySaxonProcessor(license=False)
        xslt = self._proc.new_xslt30_processor()
        self._sheets = {name: xslt.compile_stylesheet(stylesheet_file=str(xslt_dir / name))
                        for name in RULE_SETS}

    def assertions(self, document: bytes) -> list[Assertion]:
        node = self._proc.parse_xml(xml_text=document.decode("utf-8"))
        out = []
        for name, sheet in self._sheets.items():
            report = sheet.transform_to_string(xdm_node=node)
            tree = etree.fromstring(report.encode("utf-8"))
            for failed in tree.iter(f"{{{SVRL}}}failed-assert"):
                text = failed.findtext(f"{{{SVRL}}}text") or ""
                out.append(Assertion(name, failed.get("id", ""), failed.get("flag", "fatal"),
                                     failed.get("location", ""), " ".join(text.split())))
        return out

    def fatal(self, document: bytes) -> list[Assertion]:
        return [a for a in self.assertions(document) if a.flag == "fatal"]
