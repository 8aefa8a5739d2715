"""The published list of action kinds: what a webhook endpoint may subscribe to (the OpenAPI's
enum). It is the engine's own vocabulary as installed (`domain.engine.actions.action_kinds()`:
the built-in `ActionKind` and the kinds the registry's mechanisms declare), read each time it
is asked, so a kind the engine learns is published with it; a test runs the packs and fails
when the engine writes a kind missing here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from termline.domain.engine.actions import action_kinds


class PublishedKinds(Sequence[str]):
    """The installed action kinds in name order, read anew from the registry on each use."""

    def _now(self) -> tuple[str, ...]:
        return tuple(sorted(action_kinds()))

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._now()[index]

    def __len__(self) -> int:
        return len(action_kinds())

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __contains__(self, kind: object) -> bool:
        return kind in action_kinds()

    def __repr__(self) -> str:
        return f"PublishedKinds{self._now()!r}"


ACTION_KINDS: Sequence[str] = PublishedKinds()
