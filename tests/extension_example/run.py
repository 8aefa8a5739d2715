"""The onboarding mechanism in the daily step.

* Event ``session_held`` (``minutes``): ``onboarding_session_held`` (``session``, ``left``,
  ``minutes``) while the window is open and sessions are left, else ``event_refused``.
* Daily phase: ``onboarding_window_closed`` (``unused``) on the day the window ends (the
  contract's start plus ``within``).
"""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.contract.event_kinds import EventBase
from termline.domain.engine.actions import Action, added_action, refusal
from termline.domain.engine.extension import Mechanism
from termline.domain.engine.state import Context, ContractState
from tests.extension_example.events import SessionHeld
from tests.extension_example.rules import OnboardingRule
from tests.extension_example.state import OnboardingState


def _deadline(ctx: Context, rules: OnboardingRule) -> date:
    return rules.within.add_to(ctx.contract.start)


def on_session_held(state: ContractState, ctx: Context, day: date, event: EventBase
                    ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, SessionHeld)  # the handler of its type: called with its events
    rules = ctx.policy.extension(OnboardingRule)
    if rules is None:
        return state, refusal(day, ctx.contract.id, (), "session_held",
                              "the terms include no onboarding")
    own = state.extension(OnboardingState)
    if own.closed is not None:
        return state, refusal(day, ctx.contract.id, rules.clause, "session_held",
                              f"the onboarding window closed on {own.closed}")
    if len(own.held) >= rules.sessions:
        return state, refusal(day, ctx.contract.id, rules.clause, "session_held",
                              f"all {rules.sessions} sessions are used")
    held = (*own.held, day)
    state = state.with_extension(OnboardingState(held=held))
    return state, [added_action(day, "onboarding_session_held", ctx.contract.id,
                                rules.clause, session=len(held),
                                left=rules.sessions - len(held), minutes=event.minutes)]


def close_window(state: ContractState, ctx: Context, day: date
                 ) -> tuple[ContractState, list[Action]]:
    rules = ctx.policy.extension(OnboardingRule)
    own = state.extension(OnboardingState)
    if rules is None or own.closed is not None or day < _deadline(ctx, rules):
        return state, []
    state = state.with_extension(OnboardingState(held=own.held, closed=day))
    return state, [added_action(day, "onboarding_window_closed", ctx.contract.id,
                                rules.clause, unused=rules.sessions - len(own.held))]


def wake(state: ContractState, ctx: Context, day: date) -> date | None:
    rules = ctx.policy.extension(OnboardingRule)
    if rules is None or state.extension(OnboardingState).closed is not None:
        return None
    return max(_deadline(ctx, rules), day + timedelta(days=1))


MECHANISM = Mechanism(
    "onboarding", {"session_held": on_session_held}, (close_window,), wake,
    rules=OnboardingRule, state=OnboardingState(), events=(SessionHeld,),
    actions=("onboarding_session_held", "onboarding_window_closed"))
