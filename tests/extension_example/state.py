"""The onboarding state of a contract: kept on the contract state under `onboarding`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class OnboardingState:
    held: tuple[date, ...] = ()  # the days sessions were held, in order
    closed: date | None = None  # the day the window closed, the rest lapsing
