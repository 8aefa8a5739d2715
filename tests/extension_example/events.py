"""The onboarding events."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from termline.domain.contract.event_kinds import EventBase


class SessionHeld(EventBase):
    """An onboarding session held with the customer on the event's date."""

    type: Literal["session_held"]
    minutes: int = Field(gt=0, le=480)
