"""The `backups:` section of a policy."""

from __future__ import annotations

from termline.policy.schema import Rule


class BackupRule(Rule):
    """Parameters of the backups mechanism, each citing its clause."""
