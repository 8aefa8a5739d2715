"""Renewal reminders: an e-mail to the customer a configurable number of days (the tenant's
`renewal_reminder_days`, default 30) before each last day to give notice. The scheduler asks
at every pass, for every contract (a contract added later in the day gets its reminder at the
next pass); a reminder already written is not written again."""

from __future__ import annotations

from datetime import date, timedelta

from termline.adapters.notify.derive import (
    NoticeDeadline,
    Recipient,
    recipient_language,
    renewal_rows,
    tenant_info,
)
from termline.adapters.sql.store_records import NewEmail, Tenant
from termline.app.ports import UowFactory
from termline.app.run import _Caches, as_of, context
from termline.domain.engine.deadlines import deadlines

DEFAULT_LEAD = 30


def due_reminders(uow_factory: UowFactory, tenant: Tenant, today: date,
                  checked: dict[int, tuple[object, ...]] | None = None) -> int:
    """Write the reminders whose window [deadline - lead, deadline] holds `today`; how many
    were new. Every contract is looked at; with `checked` (kept by the caller between calls),
    one whose day, lead and stored state are those it was last checked with is skipped: its
    reminders are written already (the insert is idempotent anyway)."""
    lead = int(tenant.settings.get("renewal_reminder_days", DEFAULT_LEAD))
    caches = _Caches()
    with uow_factory() as uow:
        repo = uow.repo
        run_through = repo.run_through(tenant.id)
        found, recipients = [], {}
        info = tenant_info(tenant.name, tenant.settings)
        languages = uow.outbox.contract_languages(tenant.id)
        for stored in repo.contracts(tenant.id):
            if not stored.contract.customer.email:
                continue
            run_state = repo.run_state(stored.id)
            mark = (today, lead, run_state.cursor, run_state.next_due,
                    run_state.recompute_from, run_through)
            if checked is not None:
                if checked.get(stored.id) == mark:
                    continue
                checked[stored.id] = mark
            day = max(as_of(run_state, run_through), today)
            for d in deadlines(run_state.state, context(uow, stored, tenant, caches), day):
                if d.kind == "notice_deadline" and today <= d.date <= today + timedelta(lead):
                    found.append(NoticeDeadline(tenant.id, stored.id, d.date.isoformat(),
                                                d.detail.get("term_end", ""), d.clauses))
                    recipients[stored.id] = Recipient(
                        stored.contract.id, stored.contract.customer.name,
                        stored.contract.customer.email, recipient_language(
                            stored.contract.customer.language, languages.get(stored.id),
                            info))
        rows = renewal_rows(found, recipients, {tenant.id: info})
        added = uow.outbox.add_emails([NewEmail(**row) for row in rows])
        uow.commit()
    return added
