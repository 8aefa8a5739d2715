"""The `prices:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class PricesRule(Rule):
    """Parameters of the pricing mechanism, each citing its clause."""
