"""The `sla:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class SlaRule(Rule):
    """Parameters of the sla mechanism, each citing its clause."""
