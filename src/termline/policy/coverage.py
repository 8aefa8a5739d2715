"""Clause coverage of a pack against the clause catalogue's operational rows."""

from __future__ import annotations

import re
from pathlib import Path

from termline.policy.schema import CoverageEntry, Policy

PREFIX = {"smartconnect": "SC", "clientcom": "CC", "smartweb": "SW", "superoffice": "SO",
          "smarttrackers": "ST"}
_HEADING = re.compile(r"^#### (?P<id>[^:]+):\s*(?P<title>.*)$")


def catalogue_rows(catalogue: Path, pack: str) -> list[tuple[str, str]]:
    """(clause key, title) of every operational row of the pack's seed, in catalogue order.

    The key is the heading's clause id without the seed prefix: "SW-4.2" -> "4.2",
    "SC-15.1 / SC-15.2" -> "15.1 / 15.2", "ST-DPA-6.4" -> "DPA-6.4".
    """
    prefix = PREFIX[pack] + "-"
    rows = []
    for line in catalogue.read_text("utf-8").splitlines():
        match = _HEADING.match(line)
        if match and match.group("id").startswith(prefix):
            rows.append((match.group("id").replace(prefix, ""), match.group("title")))
    return rows


def coverage_rows(policy: Policy) -> tuple[CoverageEntry, ...]:
    return policy.coverage
