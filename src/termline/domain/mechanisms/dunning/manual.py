"""Reminders sent by hand (event `reminder_sent`): the ladder takes them as its own.

Terms often count later steps from reminders ("after at least three reminders", "21 days
after the third reminder"); a reminder the provider sent outside termline is recorded as the
step it stands for, on its day, so that those steps wait for it and count from it. It charges
what the step charges (its fee, offset as the terms say), like the step the engine takes.
"""

from __future__ import annotations

from datetime import date

from termline.domain.contract.model import EventBase, ReminderSent
from termline.domain.engine.actions import Action
from termline.domain.engine.events_run import refuse
from termline.domain.engine.extension import Mechanism
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.dunning.run import perform_step
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

KIND = "reminder_sent"


def record_reminder(state: ContractState, ctx: Context, day: date, event: EventBase
                    ) -> tuple[ContractState, list[Action]]:
    assert isinstance(event, ReminderSent)
    rule = ctx.policy.dunning
    reminders = [s for s in rule.steps if s.kind == "reminder" and s.enabled]
    invoice = next((it for it in state.items if it.ref == event.ref and it.kind == "invoice"),
                   None)
    if invoice is None:
        return state, refuse(ctx, day, KIND, f"no invoice {event.ref!r}", rule.clause)
    if invoice.open <= ZERO:
        return state, refuse(ctx, day, KIND, f"invoice {event.ref} is paid", rule.clause)
    if invoice.on_hold:
        return state, refuse(ctx, day, KIND, f"invoice {event.ref} is disputed and on hold",
                             rule.clause)
    pending = [s for s in reminders if state.step_date(invoice.ref, s.name) is None]
    if event.step is not None:
        named = [s for s in reminders if s.name == event.step]
        if not named:
            return state, refuse(ctx, day, KIND, f"the ladder has no reminder step "
                                 f"{event.step!r}", rule.clause)
        pending = [s for s in pending if s.name == event.step]
        if not pending:
            return state, refuse(ctx, day, KIND, f"{event.step} was already taken for "
                                 f"{event.ref}", named[0].clause)
    if not pending:
        return state, refuse(ctx, day, KIND, f"every reminder of {event.ref} was sent",
                             rule.clause)
    step = pending[0]
    state = replace(state, steps_done=(*state.steps_done, (invoice.ref, step.name, day)))
    state, acts = perform_step(state, ctx, day, step, invoice)
    return state, [Action(a.date, a.kind, a.contract, a.clauses,
                          (*a.fields, ("by", "hand"), ("step", step.name)), a.currency)
                   if a.kind == KIND else a for a in acts]


def _no_day_of_its_own(state: ContractState, ctx: Context, day: date) -> None:
    """It acts on its events only: the ladder's own wake days cover what follows them."""
    return None


MECHANISM = Mechanism("manual_reminders", {KIND: record_reminder}, (), _no_day_of_its_own)
__all__ = ["MECHANISM"]
