"""The `usage:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class UsageRule(Rule):
    """Parameters of the usage mechanism, each citing its clause."""
