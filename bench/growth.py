"""How the cost of the run grows with the book (issue 12): `termline bench --json` in a child
process for each database, worker count and book size, as one Markdown table.

The default is the billing day (`--days 1 --spread 3`: a third of the book starts and is
invoiced that day) at 10,000, 100,000 and 1,000,000 contracts. The figure to compare is the
wall time per stored contract day; the ratio to the smallest book's (same database, same
workers) shows whether it stays flat as the book and the ledger grow (issue 12: within 20 %).
`--year` runs a simulated year (`--days 365`) of one book size instead; `--profile` runs one
billing day in this process under cProfile and prints where the run's time goes.

Each bench owns its database: a SQLite file is replaced, PostgreSQL gets schema
`termline_bench` (dropped and made anew), so two benches must never share one database.

Usage:
  python bench/growth.py [--sizes 10000,100000,1000000] [--workers 1,2,4] [--db URL ...] [--json]
  python bench/growth.py --year [--contracts 100000] [--workers 1,2] [--db URL ...] [--json]
  python bench/growth.py --profile [--contracts 30000] [--db URL] [--top 25]
--db takes a URL or a SQLite file path (default out/growth.db), and may be given again.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FLAT = 1.2  # issue 12: the per-contract-day cost within 20 % of the smallest book's
COLUMNS = ("database", "workers", "contracts", "contract days stored", "actions", "wall s",
           "µs per contract day", "× smallest", "speed-up over 1 worker", "engine/floor",
           "peak RSS MB", "idle day s", "command")


def db_url(given: str) -> str:
    """A URL as given, or a SQLite file path made into one."""
    if "://" in given:
        return given
    path = Path(given)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def shown(url: str) -> str:
    """The URL without its password, for tables that get pasted into documents."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def commit() -> str:
    """The commit measured, "+dirty" when tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True,
                              check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def bench_args(url: str, contracts: int, days: int, workers: int,
               spread: int | None) -> list[str]:
    args = ["bench", "--contracts", str(contracts), "--days", str(days)]
    if spread is not None:
        args += ["--spread", str(spread)]
    return [*args, "--db", url, "--workers", str(workers), "--json"]


def run_bench(args: list[str]) -> tuple[dict[str, Any], float]:
    """The bench's JSON report and the child's own peak RSS in MB.

    The peak comes from the kernel's accounting of exactly this child (wait4): the same figure
    GNU `time -f %M` prints, the largest single process of its tree (the bench or one of its
    workers), without depending on /usr/bin/time being installed.
    """
    termline = str(Path(sys.executable).parent / "termline")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([termline, *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"termline {shlex.join(args)} failed ({child.returncode}):\n"
                             + err.read().decode(errors="replace")[-4000:])
        report = json.loads(out.read())
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    peak_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return report, peak_kib / 1024


def row(report: dict[str, Any], peak_mb: float, command: str) -> dict[str, Any]:
    """One line of the table from a bench's JSON report."""
    wall, days = report["wall_s"], report["contract_days_stored"]
    return {
        "database": report["db"], "workers": report["workers"],
        "contracts": report["contracts"], "days": report["days"],
        "contract_days_stored": days, "actions": report["actions"], "wall_s": wall,
        "us_per_contract_day": round(wall / days * 1e6, 1) if days else None,
        "ratio_to_smallest": None, "speedup_over_1_worker": None,
        "engine_floor_ratio": report["engine_floor_ratio"],
        "peak_rss_mb": round(peak_mb), "idle_day_s": report["idle_day_s"],
        "command": command,
    }


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """Each row's cost per contract day over that of the smallest book measured with the same
    database, worker count and number of days; and the wall time of one worker on the same
    database and book over this row's (when one worker was measured)."""
    smallest: dict[tuple[Any, ...], dict[str, Any]] = {}
    alone: dict[tuple[Any, ...], float] = {}
    for r in rows:
        key = (r["database"], r["workers"], r["days"])
        if key not in smallest or r["contracts"] < smallest[key]["contracts"]:
            smallest[key] = r
        if r["workers"] == 1:
            alone[(r["database"], r["contracts"], r["days"])] = r["wall_s"]
    for r in rows:
        base = smallest[(r["database"], r["workers"], r["days"])]["us_per_contract_day"]
        mine = r["us_per_contract_day"]
        r["ratio_to_smallest"] = round(mine / base, 2) if mine is not None and base else None
        one = alone.get((r["database"], r["contracts"], r["days"]))
        r["speedup_over_1_worker"] = round(one / r["wall_s"], 2) \
            if one is not None and r["wall_s"] else None


def _cell(value: Any, places: int | None = None) -> str:
    if value is None:
        return "—"
    if places is not None:
        return f"{value:,.{places}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(rows: Sequence[dict[str, Any]], measured_at: str) -> str:
    lines = [f"Commit `{measured_at}`.", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        ratio = _cell(r["ratio_to_smallest"], 2)
        if r["ratio_to_smallest"] is not None and r["ratio_to_smallest"] > FLAT:
            ratio += " (over 1.2)"
        cells = [r["database"], _cell(r["workers"]), _cell(r["contracts"]),
                 _cell(r["contract_days_stored"]), _cell(r["actions"]),
                 _cell(r["wall_s"], 2), _cell(r["us_per_contract_day"], 1), ratio,
                 _cell(r["speedup_over_1_worker"], 2),
                 _cell(r["engine_floor_ratio"], 2), _cell(r["peak_rss_mb"]),
                 _cell(r["idle_day_s"], 3), f"`{r['command']}`"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def measure(urls: Iterable[str], workers: Iterable[int], sizes: Iterable[int], days: int,
            spread: int | None) -> list[dict[str, Any]]:
    rows = []
    for url in urls:
        for w in workers:
            for n in sorted(sizes):
                args = bench_args(url, n, days, w, spread)
                command = "termline " + shlex.join(bench_args(shown(url), n, days, w, spread))
                print(f"running: {command}", file=sys.stderr, flush=True)
                report, peak = run_bench(args)
                rows.append(row(report, peak, command))
                # a long series that fails late keeps what it measured, on stderr
                print(json.dumps({**report, "own_peak_rss_mb": round(peak)}), file=sys.stderr,
                      flush=True)
    add_ratios(rows)
    return rows


# --- the profile ------------------------------------------------------------------------------

def where(path: str) -> str:
    """A profiled function's file, short: from the package down (termline/..., sqlalchemy/...)."""
    for marker in ("/src/", "/site-packages/", "/lib/python3."):
        if marker in path:
            tail = path.rsplit(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." else tail
    return path


def per_day(seconds: float, contract_days: int) -> str:
    return f"{seconds / contract_days * 1e6:,.1f}" if contract_days else "—"


def top_table(stats: pstats.Stats, key: str, count: int, contract_days: int) -> str:
    """The `count` functions first by `key` (pstats' "cumulative" or "tottime")."""
    index = {"cumulative": 3, "tottime": 2}[key]
    entries = sorted(stats.stats.items(),  # type: ignore[attr-defined]
                     key=lambda item: item[1][index], reverse=True)[:count]
    lines = ["| function | calls | own s | own µs per contract day | cumulative s "
             "| cumulative µs per contract day |", "|---|---|---|---|---|---|"]
    for (path, line, name), (_, calls, own, cumulative, _) in entries:
        at = f"{where(path)}:{line} {name}" if path != "~" else name
        lines.append(f"| `{at}` | {calls:,} | {own:.2f} | {per_day(own, contract_days)} "
                     f"| {cumulative:.2f} | {per_day(cumulative, contract_days)} |")
    return "\n".join(lines)


def profile(url: str, contracts: int, top: int) -> str:
    """One billing day under cProfile, in this process, restricted to `service.run`.

    The bench times only its calls to `service.run` (the day and the idle day); the profiler
    is switched on around exactly those calls, so loading the book, the customers' answers and
    the floor stay out of the figures.
    """
    import termline.devtools.bench as bench_module
    from termline.domain.registry import bootstrap

    bootstrap()

    profiler = cProfile.Profile()
    names = vars(bench_module)  # bench() looks `run` up here on each call
    real_run = names["run"]

    def profiled_run(*args: Any, **kwargs: Any) -> Any:
        profiler.enable()
        try:
            return real_run(*args, **kwargs)
        finally:
            profiler.disable()

    names["run"] = profiled_run
    try:
        report = bench_module.bench(url, contracts, 1, spread=3, workers=1)
    finally:
        names["run"] = real_run
    data = report.to_json()
    stats = pstats.Stats(profiler)
    days = data["contract_days_stored"]
    profiled = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    return "\n".join([
        f"Profile of one billing day at commit `{commit()}`: `python bench/growth.py --profile "
        f"--contracts {contracts} --db {shown(url)}` ({data['db']}, 1 worker, "
        f"{days:,} contract days stored, {data['actions']:,} actions).",
        f"Under cProfile the day took {data['wall_s']:.1f} s; the functions profiled (the day "
        f"and the idle day) account for {profiled:.1f} s. cProfile slows Python calls "
        "unevenly: compare shares, not seconds, with an unprofiled bench.", "",
        f"By cumulative time (top {top}):", "", top_table(stats, "cumulative", top, days), "",
        f"By own time (top {top}):", "", top_table(stats, "tottime", top, days)])


def ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=ints, default=[10_000, 100_000, 1_000_000],
                        help="book sizes of the billing day, comma-separated")
    parser.add_argument("--workers", type=ints, default=[1], help="comma-separated, e.g. 1,2,4")
    parser.add_argument("--db", action="append", help="URL or SQLite file path; repeatable "
                                                      "(default out/growth.db)")
    parser.add_argument("--year", action="store_true", help="a year (365 days) of --contracts")
    parser.add_argument("--profile", action="store_true",
                        help="one billing day of --contracts under cProfile, in this process")
    parser.add_argument("--contracts", type=int, help="book size of --year (default 100000) "
                                                      "or --profile (default 30000)")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    urls = [db_url(d) for d in opts.db or ["out/growth.db"]]
    if opts.profile:
        if len(urls) != 1:
            parser.error("--profile takes one --db")
        print(profile(urls[0], opts.contracts or 30_000, opts.top))
        return
    started, measured_at = time.perf_counter(), commit()
    if opts.year:
        rows = measure(urls, opts.workers, [opts.contracts or 100_000], 365, None)
    else:
        rows = measure(urls, opts.workers, opts.sizes, 1, 3)
    if opts.json:
        print(json.dumps({"commit": measured_at, "rows": rows}, indent=2))
    else:
        print(markdown(rows, measured_at))
    print(f"({time.perf_counter() - started:.0f} s in all)", file=sys.stderr)


if __name__ == "__main__":
    main()
