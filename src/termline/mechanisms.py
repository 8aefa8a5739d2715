"""The mechanisms beyond the lifecycle core, assembled above the engine and the mechanisms.

The engine knows a mechanism only as `engine.extension.Mechanism`; each mechanism package
builds its own from the engine's parts. This module imports them and installs them, in the
order their phases run each day. A new mechanism is one new package and one line here.
Entry points (the CLI, the service layer, benchmarks, tests) import this module.
"""

from __future__ import annotations

from termline.backups.run import MECHANISM as BACKUPS
from termline.engine.extension import Mechanism, install
from termline.overdue.manual import MECHANISM as MANUAL_REMINDERS
from termline.pricing.list_price import MECHANISM as LIST_PRICES
from termline.pricing.run import MECHANISM as PRICING
from termline.privacy.run import MECHANISM as PRIVACY
from termline.sla.run import MECHANISM as SLA
from termline.support.run import MECHANISM as SUPPORT
from termline.usage.run import MECHANISM as USAGE

MECHANISMS: tuple[Mechanism, ...] = (PRICING, USAGE, SLA, SUPPORT, PRIVACY, BACKUPS,
                                     MANUAL_REMINDERS, LIST_PRICES)
install(MECHANISMS)
