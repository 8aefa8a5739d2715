"""The published list of action kinds: what a webhook endpoint may subscribe to (the OpenAPI's
enum). It is the engine's own vocabulary (`domain.engine.actions.ActionKind`), so a kind the
engine learns is published with it; a test runs the packs and fails when the engine writes a
kind missing here."""

from __future__ import annotations

from typing import get_args

from termline.domain.engine.actions import ActionKind

ACTION_KINDS: tuple[str, ...] = tuple(sorted(get_args(ActionKind)))
