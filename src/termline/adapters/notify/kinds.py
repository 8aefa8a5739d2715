"""The published list of action kinds: what a webhook endpoint may subscribe to (the OpenAPI's
enum). It is the engine's own vocabulary as installed (`domain.engine.actions.action_kinds()`:
the built-in `ActionKind` and the kinds the registry's mechanisms declare), read each time it
is asked (`published()`), so a kind the engine learns is published with it; a test runs the
packs and fails when the engine writes a kind missing here."""

from __future__ import annotations

from termline.domain.engine.actions import action_kinds


def published() -> tuple[str, ...]:
    """The installed action kinds in name order."""
    return tuple(sorted(action_kinds()))
