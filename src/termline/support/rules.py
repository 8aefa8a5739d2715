"""The `support:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class SupportRule(Rule):
    """Parameters of the support mechanism, each citing its clause."""
