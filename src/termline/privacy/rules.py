"""The `privacy:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class PrivacyRule(Rule):
    """Parameters of the privacy mechanism, each citing its clause."""
