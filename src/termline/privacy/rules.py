"""The `privacy:` section of a policy: sub-processor and hosting changes, audits, force majeure."""

from __future__ import annotations

from typing import Literal

from termline.core.rule import Dur, Rule


class SubprocessorChangeRule(Rule):
    """A change of sub-processor or hosting party announced by the provider (event
    ``subprocessor_change_announced``, dated the day the notice is given).

    * ``notice``: the change must be announced at least this long before it takes effect
      (``effective``); a shorter notice gives ``subprocessor_notice_violation``. ``best_effort``
      records terms that ask for the notice only "where possible" (the flag is then a warning).
      Without ``effective`` the change may take effect ``notice`` after the announcement at the
      earliest (``earliest_effective``).
    * ``objection_window``: the customer may object within this period after the notice
      (``customer_right_opened``, ``right: subprocessor_objection``); ``termination_right``: if
      the objection is maintained the customer may terminate the affected service.
    """

    notice: Dur | None = None
    best_effort: bool = False
    objection_window: Dur | None = None
    termination_right: bool = False


class AuditRule(Rule):
    """The customer's audit of the provider (event ``audit_requested``, dated the day the audit
    plan is submitted, with the proposed ``audit_date``).

    * At most one audit per ``interval`` (rolling: an audit date at least ``interval`` after the
      previous accepted audit's date).
    * The plan must come ``plan_lead`` before the proposed date; without a proposed date the
      audit is set on the earliest date the rules allow.
    * ``business_days_only``: audits take place on business days of the pack's calendar.
    * ``costs``: who bears the cost of the audit.
    """

    interval: Dur
    plan_lead: Dur
    business_days_only: bool = True
    costs: Literal["customer", "provider"] = "customer"


class ForceMajeureRule(Rule):
    """Force majeure (event ``force_majeure`` with ``start`` and, once known, ``end``).

    Obligations hit by it are suspended; payment obligations are not (``suspends_payment``:
    false, so invoicing and dunning go on). When it lasts longer than ``terminate_after`` each
    party may terminate: the right opens on the first day after that period (start +
    ``terminate_after`` + 1 day) if the force majeure still lasts, for as long as it lasts.
    """

    suspends_payment: bool = False
    terminate_after: Dur | None = None


class PrivacyRule(Rule):
    """Parameters of the privacy mechanism, each citing its clause."""

    subprocessor_change: SubprocessorChangeRule | None = None
    audit: AuditRule | None = None
    force_majeure: ForceMajeureRule | None = None
