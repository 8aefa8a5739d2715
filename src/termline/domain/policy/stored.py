"""The one text a policy is stored as, and its reading back.

The store keeps each policy version as this JSON text and every run, listing and API answer
reads it back; `policy check` makes the same round trip, so that a policy it accepts is one
the store can keep and run (a default that does not validate once written out, a value whose
text reads back as another value, would otherwise surface only at import or in the next run).
"""

from __future__ import annotations

from pydantic import ValidationError

from termline.domain.policy.schema import Policy


def policy_text(policy: Policy) -> str:
    """The stored form of a policy (the text its version's content hash is taken of)."""
    return policy.model_dump_json(by_alias=True)


def policy_from_text(text: str) -> Policy:
    return Policy.model_validate_json(text)


def round_trip_problems(policy: Policy) -> list[str]:
    """Why the store could not keep `policy` as it is: empty when written out and read back it
    is the same policy, written out again the same text (the same stored version)."""
    text = policy_text(policy)
    try:
        back = policy_from_text(text)
    except ValidationError as exc:
        return [f"the store cannot read this policy back: "
                f"{'.'.join(str(p) for p in e['loc'])}: "
                f"{str(e['msg']).removeprefix('Value error, ')}" for e in exc.errors()]
    problems = []
    if back != policy:
        fields = [name for name in type(policy).model_fields
                  if getattr(back, name) != getattr(policy, name)]
        problems.append("the store reads this policy back with other values in "
                        f"{', '.join(fields) or 'its fields'}")
    if policy_text(back) != text:
        problems.append("the store's text of this policy changes when read back (each run "
                        "would store a new version)")
    return problems
