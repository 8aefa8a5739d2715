"""Per-contract state of the usage mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass

from termline.invoice.lines import InvoiceLine


@dataclass(frozen=True, slots=True)
class UsageState:
    """Charges waiting for the next subscription invoice (usage above allowances and the like)."""

    pending: tuple[InvoiceLine, ...] = ()
