"""The registry: the mechanisms beyond the lifecycle core, assembled above the engine.

The engine knows a mechanism only as `domain.engine.extension.Mechanism`; each mechanism
package under `domain/mechanisms/` builds its own from the engine's parts. This module lists
them in the order their phases run each day; `bootstrap()` installs them, and with them what
each brings beyond the built-in fields: its policy section (which `Policy` then validates),
its state (kept on the contract state and stored by the codec), its event kinds (which
every event reader and the API's event routes then take) and its action kinds (published
with the built-in ones: `domain.engine.actions.action_kinds()`). Adding such a mechanism is its own
folder and one more entry in `MECHANISMS` (tests/extension_example/ is one).

Nothing is installed at import time: each entry point (the CLI, the API, a step process, a
benchmark, the tests) calls `bootstrap()` once before it reads policies or events or runs the
engine.
"""

from __future__ import annotations

from termline.domain.engine.extension import Mechanism, install
from termline.domain.mechanisms.backups.run import MECHANISM as BACKUPS
from termline.domain.mechanisms.dunning.manual import MECHANISM as MANUAL_REMINDERS
from termline.domain.mechanisms.pricing.list_price import MECHANISM as LIST_PRICES
from termline.domain.mechanisms.pricing.run import MECHANISM as PRICING
from termline.domain.mechanisms.privacy.run import MECHANISM as PRIVACY
from termline.domain.mechanisms.sla.run import MECHANISM as SLA
from termline.domain.mechanisms.support.run import MECHANISM as SUPPORT
from termline.domain.mechanisms.usage.run import MECHANISM as USAGE

MECHANISMS: tuple[Mechanism, ...] = (PRICING, USAGE, SLA, SUPPORT, PRIVACY, BACKUPS,
                                     MANUAL_REMINDERS, LIST_PRICES)


def bootstrap() -> tuple[Mechanism, ...]:
    """Install the registered mechanisms, their policy sections, states, event kinds and
    action kinds (idempotent) and return them."""
    install(MECHANISMS)
    return MECHANISMS
