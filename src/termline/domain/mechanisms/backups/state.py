"""Per-contract state of the backups mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from termline.domain.values.record_build import assigned


@assigned
@dataclass(frozen=True, slots=True)
class BackupState:
    """Restores carried out so far: (request day, date of the backup restored)."""

    restores: tuple[tuple[date, date], ...] = ()
