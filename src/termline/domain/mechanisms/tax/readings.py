"""The VAT reading of each pack's late-payment charges, for docs/readings.md."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from termline.domain.policy.schema import Policy


@lru_cache(maxsize=1)
def _readings() -> dict[str, str]:
    raw = yaml.safe_load(resources.files(__package__).joinpath("fee_readings.yaml")
                         .read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in raw.items()}


def charges(policy: Policy) -> list[str]:
    """The late-payment charges a pack can invoice, with their clauses."""
    out = []
    if policy.interest.method != "none":
        out.append(f"interest ({policy.interest.method}, clause "
                   f"{', '.join(policy.interest.clause)})")
    for step in policy.dunning.steps:
        if step.kind == "reminder" and step.fee:
            out.append(f"reminder fee {step.fee} ({step.name}, clause {', '.join(step.clause)})")
        if step.kind == "collection":
            state = "" if step.enabled else ", off by default"
            out.append(f"collection costs {step.percent_of_principal} % of the principal "
                       f"(clause {', '.join(step.clause)}{state})")
    return out


def vat_markdown(policies: list[Policy]) -> list[str]:
    lines = ["## VAT on fees, interest and collection costs", "",
             "Generated from `termline/domain/mechanisms/tax/fee_readings.yaml` and the packs' "
             "dunning and "
             "interest rules. Each charge is invoiced as a document of its own in VAT category "
             "O (outside the scope of VAT, VATEX-EU-O): it compensates late payment and is "
             "not consideration for a supply.", ""]
    for policy in policies:
        found = charges(policy)
        lines.append(f"- **{policy.pack}** (charges: {'; '.join(found) if found else 'none'}):"
                     f" {_readings().get(policy.pack, 'no reading recorded.')}")
    lines.append("")
    return lines
