"""The onboarding section of a policy (`onboarding:`), read as
`policy.extension(OnboardingRule)`."""

from __future__ import annotations

from pydantic import Field

from termline.domain.values.rule import Dur, Rule


class OnboardingRule(Rule):
    """Onboarding sessions included with the subscription."""

    sessions: int = Field(gt=0, le=100)
    """How many sessions the subscription includes."""
    within: Dur
    """How long after the contract's start they can be held."""
