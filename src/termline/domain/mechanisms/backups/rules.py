"""The `backups:` section of a policy: backup cadence and retention, restores, the purge of the
last backup copies after the contract, and an exit period after termination.

Export requests (event ``export_requested``) need no parameters here: they follow the pack's
``retention`` rules (``export_window``, ``export_lead``, ``withhold_export_when_overdue``), the
same checks as ``data_instruction: export``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from termline.domain.values.duration import Duration, Unit
from termline.domain.values.rule import Clauses, Dec, Dur, Rule, Strict


def cadence_of(cadence: Duration | None) -> int:
    return 1 if cadence is None else cadence.number * (7 if cadence.unit is Unit.WEEKS else 1)


class RestoreRule(Rule):
    """Restoring a backup on the customer's request (event ``restore_requested``).

    * Only a backup the retention keeps can be restored: taken on or after request day minus
      ``backups.retention``, and before the request day (the backup of a day is taken at its end).
    * ``charged: true``: each restored backup costs ``fee`` (contract-level where the terms state
      no amount); ``billing: immediate`` invoices it on the request day, ``next_invoice`` adds
      the line to the next subscription invoice. A charged restore without an agreed fee is
      accepted with ``fee_agreed: false`` and nothing is invoiced (never a silent zero price).
    * ``during_trial: false``: the provider owes no restore while the contract is a trial
      (the refusal cites ``trial_clause``).
    """

    charged: bool = False
    """Whether each restore is charged."""
    fee: Dec | None = Field(default=None, gt=0)
    billing: Literal["immediate", "next_invoice"] = "immediate"
    item: str = "Backup restore"
    """The invoice line's item for a charged restore."""
    during_trial: bool = True
    """Whether restores are owed during a trial."""
    trial_clause: Clauses | None = None


class PurgeRule(Rule):
    """An outer limit after the contract's last day by which every copy, backups included, must
    be gone (e.g. "a maximum storage duration of 1 year ... due to our back-up procedures")."""

    latest: Dur
    """The outer limit after the contract's last day by which every copy is gone."""


class ExitPeriodRule(Rule):
    """Exit assistance after the contract (migration to the customer or a third party).

    A termination notice makes the parties' consultation due ``consult_before_end`` before the
    contract's last day; after the last day the customer's exit period runs for at most
    ``max_period``, except when the contract ended for one of ``excluded_reasons``.
    """

    consult_before_end: Dur
    max_period: Dur
    excluded_reasons: tuple[str, ...] = ()


class BackupTier(Strict):
    """One retention tier: the backups of the days the tier keeps, each for ``keep``.

    ``daily``: every day's backup; ``weekly``: the backup of each Sunday (the end of an ISO
    week); ``monthly``: the backup of each month's last day.
    """

    name: str
    """The tier's name (shown in refusals)."""
    every: Literal["daily", "weekly", "monthly"]
    keep: Dur


class BackupRule(Rule):
    """Parameters of the backups mechanism, each citing its clause.

    ``cadence``: one backup every so many days while the contract runs (trial or paid), from
    its first day through its last. ``retention``: how long each backup is kept (and so how far
    back a restore can reach); the backups expire on that rolling schedule, after the contract
    as during it. ``purge``: an outer limit after the contract's last day; the engine then emits
    ``backup_purge_due`` on the day the last copy must be gone (the earlier of last day +
    ``retention`` and last day + ``purge.latest``).
    """

    cadence: Dur | None = None
    retention: Dur | None = None
    tiers: tuple[BackupTier, ...] = Field(default=(), examples=[
        "[{name: daily, every: daily, keep: 7 days}, {name: weekly, every: weekly, keep: "
        "4 weeks}, {name: monthly, every: monthly, keep: 3 months}]"])
    restore: RestoreRule | None = None
    purge: PurgeRule | None = None
    exit_period: ExitPeriodRule | None = None

    @model_validator(mode="after")
    def _one_retention(self) -> BackupRule:
        if self.tiers and self.retention is not None:
            raise ValueError("give either retention or tiers, not both")
        if self.tiers and cadence_of(self.cadence) != 1:
            raise ValueError("retention tiers keep daily backups: cadence is 1 day")
        names = [t.name for t in self.tiers]
        if len(names) != len(set(names)):
            raise ValueError("retention tier names are unique")
        return self

    @field_validator("cadence")
    @classmethod
    def _whole_days(cls, value: Duration | None) -> Duration | None:
        if value is not None and (value.unit not in (Unit.DAYS, Unit.WEEKS) or value.number < 1):
            raise ValueError("a backup cadence is a number of days or weeks, e.g. '1 day'")
        return value

