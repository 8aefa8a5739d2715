"""The `privacy:` section of a policy: sub-processor and hosting changes, audits, force majeure."""

from __future__ import annotations

from typing import Literal

from termline.domain.values.rule import Dur, Rule


class SubprocessorRegistryRule(Rule):
    """Which sub-processor changes the notice procedure covers (the event's ``intra_group`` and
    ``eu_eea`` flags).

    * ``intra_group_exempt``: a sub-processor of the provider's own group located in the EU/EEA
      may be engaged without notice or approval: such a change is recorded
      (``subprocessor_change_recorded``) with no notice check and no objection right.
    * ``transfer_safeguard``: a sub-processor outside the EU/EEA needs this legal ground for the
      transfer (e.g. the EU Standard Contractual Clauses); the notice names it
      (``transfer_safeguard``).
    """

    intra_group_exempt: bool = False
    transfer_safeguard: str | None = None


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
    registry: SubprocessorRegistryRule | None = None


class AssignmentRule(Rule):
    """The provider's assignment of the contract to another party (event
    ``assignment_announced``, dated the day it is announced, with ``effective``).

    ``notice``: the assignment is announced at least this long before it takes effect; a
    shorter notice gives ``assignment_notice_violation``; ``best_effort`` records terms that ask
    for the notice only "where possible" (the flag is then a warning).
    """

    notice: Dur
    best_effort: bool = False


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
    ``suspend_access``: the provider suspends the customer's access from the first day of the
    force majeure to its last (``access_suspended`` / ``access_restored`` the day after it ends,
    unless a dunning suspension is still in force).
    """

    suspends_payment: bool = False
    terminate_after: Dur | None = None
    suspend_access: bool = False


class PrivacyRule(Rule):
    """Parameters of the privacy mechanism, each citing its clause."""

    subprocessor_change: SubprocessorChangeRule | None = None
    audit: AuditRule | None = None
    force_majeure: ForceMajeureRule | None = None
    assignment: AssignmentRule | None = None
