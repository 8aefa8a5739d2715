"""Page times of the web console on a book built by `termline bench` (docs/benchmarks.md,
"The console's pages").

    termline bench --contracts 1000000 --days 1 --spread 3 --db sqlite:////tmp/b/book.db
    python bench/console_pages.py --db sqlite:////tmp/b/book.db --prepare

`--prepare` gives the bench tenant a seller profile (examples/profiles/seller.yaml) and runs
its book one more day, so that the contracts billed that day get numbered documents (the
bench itself runs without a profile), and puts one unmatched bank credit in the queue
(`--credit` only that).
Each page is asked through the app in process (FastAPI's test client: the whole HTTP stack,
no network) by a signed-in admin; the time is the median of `--runs` requests after the
first, which is shown apart (a fresh process compiles its templates and reads the policies).
Run `ANALYZE` on a SQLite book once before timing: without statistics its planner scans.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

warnings.filterwarnings("ignore", category=DeprecationWarning)

from fastapi.testclient import TestClient  # noqa: E402

import termline.domain.registry  # noqa: E402, F401
from termline.adapters.sql.console_repo import ConsoleStore  # noqa: E402
from termline.adapters.sql.db import make_engine, upgrade  # noqa: E402
from termline.adapters.sql.document_store import DocumentStore  # noqa: E402
from termline.adapters.sql.uow import SqlUnitOfWork  # noqa: E402
from termline.app import console_auth  # noqa: E402
from termline.app.customer_links import link  # noqa: E402
from termline.app.documents import set_profile  # noqa: E402
from termline.app.run import run  # noqa: E402
from termline.entrypoints.api.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "bench@console.example", "bench console password"


def _tenant(engine: Any) -> Any:
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.tenants()[0]


def prepare(engine: Any) -> None:
    owner = _tenant(engine)
    factory = lambda: SqlUnitOfWork(engine)  # noqa: E731
    if "profile" not in owner.settings:
        profile = yaml.safe_load((ROOT / "examples/profiles/seller.yaml").read_text("utf-8"))
        set_profile(factory(), owner.name, profile, "seller.yaml")
    with SqlUnitOfWork(engine) as uow:
        through = uow.repo.run_through(owner.id)
    assert through is not None, "run the bench first"
    started = time.perf_counter()
    run(factory, through + timedelta(days=1))
    sys.stderr.write(f"ran {through + timedelta(days=1)} in {time.perf_counter() - started:.1f} s"
                     "\n")
    add_credit(engine, owner.id, through + timedelta(days=1))


def add_credit(engine: Any, tenant_id: int, booked: Any) -> None:
    """One credit nobody matched, stored as `bank import` stores it (its matcher builds every
    open document of the book, minutes at a million contracts: not what is timed here)."""
    with SqlUnitOfWork(engine) as uow:
        docs = DocumentStore(uow.repo.conn)
        if not docs.bank_entry_known(tenant_id, "BENCH-CREDIT-1"):
            docs.add_bank_entry(tenant_id=tenant_id, entry_ref="BENCH-CREDIT-1", booked=booked,
                                amount=Decimal("123.45"), currency="EUR", debtor="Someone",
                                structured_ref=None, text="?", status="unmatched",
                                document_number=None, event_id=None)
            uow.commit()


def _timed(client: TestClient, method: str, path: str, runs: int, **kw: Any
           ) -> tuple[float, float, int]:
    """(first request ms, median of the next `runs` ms, status)."""
    times, status = [], 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        answer = client.request(method, path, **kw)
        times.append((time.perf_counter() - started) * 1000)
        status = answer.status_code
    return times[0], statistics.median(times[1:]), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--credit", action="store_true",
                        help="only put the unmatched credit of --prepare in the queue")
    args = parser.parse_args()
    engine = make_engine(args.db)
    upgrade(engine)
    if args.prepare:
        prepare(engine)
    owner = _tenant(engine)
    if args.credit:
        with SqlUnitOfWork(engine) as uow:
            day = uow.repo.run_through(owner.id)
        add_credit(engine, owner.id, day)
    with SqlUnitOfWork(engine) as uow:
        through = uow.repo.run_through(owner.id)
        store = ConsoleStore(uow.repo.conn)
        known = store.user_by_email(EMAIL) is not None
        contracts = uow.repo.conn.exec_driver_sql(
            "SELECT count(*) FROM contracts WHERE tenant_id = ?"
            if engine.dialect.name == "sqlite" else
            "SELECT count(*) FROM contracts WHERE tenant_id = %s", (owner.id,)).scalar_one()
        number = uow.repo.conn.exec_driver_sql(
            "SELECT number FROM documents ORDER BY id DESC LIMIT 1").scalar()
        ref = uow.repo.conn.exec_driver_sql(
            "SELECT c.ref FROM contracts c JOIN documents d ON d.contract_id = c.id "
            "ORDER BY d.id DESC LIMIT 1").scalar() or "c0000001"
    assert through is not None
    now = datetime.combine(through, clock_time(12), tzinfo=UTC)
    if not known:
        console_auth.add_user(SqlUnitOfWork(engine), owner.name, EMAIL, "admin", PASSWORD, now)
    customer = f"Customer {int(ref[1:])}"
    url = link(SqlUnitOfWork(engine), owner.name, customer, 30, now, "http://testserver")
    client = TestClient(create_app(engine, lambda: now))
    form = client.get("/console/signin").text
    csrf = form.split('name="csrf" value="')[1].split('"')[0]
    client.post("/console/signin", data={"csrf": csrf, "email": EMAIL, "password": PASSWORD},
                follow_redirects=False)  # the book's first request is timed below
    session_csrf = client.get("/console/admin").text.split(
        'name="csrf" value="')[1].split('"')[0]
    pages: list[tuple[str, str, str, dict[str, Any]]] = [
        ("book", "GET", "/console/book", {}),
        ("contracts, first page", "GET", "/console/contracts", {}),
        ("contracts, status active", "GET", "/console/contracts?status=active", {}),
        ("contracts, status terminated (rare)", "GET",
         "/console/contracts?status=terminated", {}),
        ("contracts, id prefix", "GET", f"/console/contracts?ref={ref[:6]}", {}),
        ("contracts, customer prefix", "GET", f"/console/contracts?customer={customer}", {}),
        ("contracts, pack", "GET", "/console/contracts?pack=smartweb", {}),
        ("contract page", "GET", f"/console/contracts/{ref}", {}),
        ("what-if (payment)", "POST", f"/console/contracts/{ref}/whatif",
         {"data": {"csrf": session_csrf, "type": "payment", "date": through.isoformat(),
                   "amount": "10.00", "until": (through + timedelta(days=31)).isoformat()}}),
        ("work queues", "GET", "/console/queues", {}),
        ("invoices, first page", "GET", "/console/invoices", {}),
        ("invoices, open", "GET", "/console/invoices?status=open", {}),
        ("invoices, customer", "GET", f"/console/invoices?customer={customer}", {}),
        ("document page", "GET", f"/console/documents/{number}", {}),
        ("customer's page", "GET", url.removeprefix("http://testserver"), {}),
    ]
    print(f"{contracts:,} contracts, tenant {owner.name}, run through {through}, "
          f"{engine.dialect.name}; median of {args.runs} after a first request")
    print("| page | first request (ms) | median (ms) | status |")
    print("|---|---:|---:|---:|")
    for name, method, path, kw in pages:
        first, median, status = _timed(client, method, path, args.runs, **kw)
        print(f"| {name} | {first:,.0f} | {median:,.0f} | {status} |", flush=True)


if __name__ == "__main__":
    main()
