"""SIGTERM while the scheduler works through a book: the server exits cleanly (status 0) and
every contract is stored whole (its run state counts exactly the actions in the ledger)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from tests.service.conftest import Server, cli

CONTRACTS = 200


def test_sigterm_finishes_the_batch_in_hand_and_exits_cleanly(serve: Server,
                                                               tmp_path: Path) -> None:
    start = datetime.now(UTC).date() - timedelta(days=400)
    lines = [f"policy: smartweb\nuntil: {start + timedelta(days=1)}\ncontracts:"]
    for i in range(CONTRACTS):
        lines.append(f"  - {{id: c{i}, customer: {{name: C{i}}}, start: {start}, lines: "
                     "[{item: SmartWeb Shop, unit_price: '100.00'}]}")
    book = tmp_path / "book.yaml"
    book.write_text("\n".join(lines) + "\nevents: []\n")
    cli(serve.db, "tenant", "add", "provider")
    cli(serve.db, "import", str(book), "--tenant", "provider")
    serve.start()
    time.sleep(0.5)  # the scheduler is claiming batches of the 400 days due
    assert serve.stop() == 0
    engine = make_engine(serve.db, pooled=False)
    with engine.connect() as conn:
        counted = dict(conn.execute(select(t.actions.c.contract_id, func.count())
                                    .group_by(t.actions.c.contract_id)).all())
        runs = conn.execute(select(t.contract_runs.c.contract_id,
                                   t.contract_runs.c.action_count)).all()
    engine.dispose()
    assert len(runs) == CONTRACTS
    assert all(counted.get(cid, 0) == n for cid, n in runs)
    assert sum(n for _, n in runs) > 0  # it had started
