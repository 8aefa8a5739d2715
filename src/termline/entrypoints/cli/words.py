"""Engine counts in a finance team's words, for run summaries."""

from __future__ import annotations

from collections.abc import Mapping

# kind -> (one, many); the order is the order of the summary.
_PHRASES: dict[str, tuple[str, str]] = {
    "invoice_issued": ("invoice issued", "invoices issued"),
    "payment_applied": ("payment applied", "payments applied"),
    "reminder_sent": ("reminder sent", "reminders sent"),
    "collection_costs_charged": ("collection fee charged", "collection fees charged"),
    "interest_charged": ("interest charge", "interest charges"),
    "breach_notice_sent": ("breach notice sent", "breach notices sent"),
    "access_restored": ("contract restored", "contracts restored"),
    "contract_started": ("contract started", "contracts started"),
    "contract_renewed": ("contract renewed", "contracts renewed"),
    "termination_notice_received": ("termination notice received",
                                    "termination notices received"),
    "contract_terminated": ("contract terminated", "contracts terminated"),
    "data_deleted": ("contract's data deleted", "contracts' data deleted"),
    "action_corrected": ("earlier action corrected", "earlier actions corrected"),
}


def count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def run_summary(kinds: Mapping[str, int], suspended: int, contracts: int, wall_s: float) -> str:
    """E.g. "1,204 invoices issued, 37 reminders sent, 3 contracts suspended (1,300 contract
    days in 2.10s)"; "nothing was due" when the run stored no action."""
    parts = []
    for kind, (one, many) in _PHRASES.items():
        if kinds.get(kind):
            parts.append(count(kinds[kind], one, many))
        if kind == "reminder_sent" and suspended:
            parts.append(count(suspended, "contract suspended", "contracts suspended"))
    others = sum(n for kind, n in kinds.items()
                 if kind not in _PHRASES and kind != "access_suspended")
    if others:
        parts.append(count(others, "other action", "other actions"))
    said = ", ".join(parts) if parts else "nothing was due"
    return f"{said} ({count(contracts, 'contract day', 'contract days')} in {wall_s:.2f}s)"
