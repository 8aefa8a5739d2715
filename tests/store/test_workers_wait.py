"""Several workers on one day (PostgreSQL): a worker that finds every due contract held by
another looks again every `run.POLL` until the holder lets go, then runs what is left."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from typing import Any

import pytest

from termline.app.run import run
from termline.domain.policy import load_pack
from tests.store.books import shop_contract


def test_a_worker_finding_the_rest_held_looks_again_every_5_ms_and_runs_it_once_free(
        uow: Callable[[], Any], db_url: str) -> None:
    """SmartWeb, one contract starting 2027-01-04, held by another worker's claim (`FOR UPDATE
    SKIP LOCKED`): the run claims nothing, waits 5 ms (at 50 ms a year of 100,000 contracts
    with two workers idled 12 s of its 186, `docs/benchmarks.md`), looks again, and waits
    again while it is held; once the holder lets go (rolled back: the contract is still due)
    the run claims it and stores its first day."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite's writers take turns from BEGIN IMMEDIATE: no claim finds it held")
    with uow() as setup:
        tenant = setup.tenants.add_tenant("dk", "Europe/Copenhagen", {})
        setup.contracts.add_contract(tenant, shop_contract("a"), load_pack("smartweb"))
        setup.commit()
    waits: list[float] = []
    with ExitStack() as holding:
        holder = holding.enter_context(uow())
        assert len(holder.runs.claim(tenant, date(2027, 1, 4), limit=1)) == 1

        def wait(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 2:
                holding.close()  # the other worker leaves without storing anything

        report = run(uow, date(2027, 1, 4), wait=wait)
    assert waits == [0.005, 0.005]
    assert (report.contracts, report.set_aside) == (1, {})
    with uow() as after:
        (stored,) = after.runs.claim(tenant, date(2027, 1, 31), limit=5)
        assert stored[1].cursor == date(2027, 1, 4)
