"""The `liability:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class LiabilityRule(Rule):
    """Parameters of the liability-cap computation, each citing its clause."""
