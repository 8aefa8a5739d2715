"""Benchmark of importing a large book (issue 12): wall time and peak RSS of
`termline import --contracts book.jsonl --events events.jsonl` (streamed), and optionally of
`termline import book.yaml` (the scenario format) for the same book.

Writes a synthetic book of N contracts (termline.devtools.synthetic: the five packs, a year of start
dates, notices and seat changes) as JSON Lines into --dir (kept and reused), gives it an empty
database (a replaced SQLite file, or PostgreSQL schema termline_bench_import), then runs the
import in a child process and reports its peak RSS (GNU time's %M).

Usage: python bench/import_book.py --contracts 100000 [--db URL] [--dir out/book] [--yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from termline.devtools.bench import fresh_database
from termline.devtools.synthetic import contract_line, synthetic_contracts
from termline.domain.registry import bootstrap


def write_book(n: int, folder: Path, as_yaml: bool) -> tuple[Path, Path, Path | None]:
    folder.mkdir(parents=True, exist_ok=True)
    contracts, events = folder / f"book-{n}.jsonl", folder / f"events-{n}.jsonl"
    scenario = folder / f"book-{n}.yaml" if as_yaml else None
    if not contracts.exists() or not events.exists():
        with contracts.open("w", encoding="utf-8") as c_out, \
                events.open("w", encoding="utf-8") as e_out:
            for made in synthetic_contracts(n):
                c_out.write(json.dumps(contract_line(made.contract, made.policy)) + "\n")
                for event in made.events:
                    e_out.write(event.model_dump_json(by_alias=True, exclude_none=True) + "\n")
    if scenario is not None and not scenario.exists():
        # in a child process: the bench itself stays small
        subprocess.run([sys.executable, __file__, "--write-yaml", "--contracts", str(n),
                        "--dir", str(folder)], check=True)
    return contracts, events, scenario


def write_yaml(contracts: Path, events: Path, scenario: Path) -> None:
    with contracts.open(encoding="utf-8") as c_in, events.open(encoding="utf-8") as e_in:
        document = {"policy": "smartweb", "until": "2028-12-31",
                    "contracts": [json.loads(line) for line in c_in],
                    "events": [json.loads(line) for line in e_in]}
    scenario.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and output of one termline command in a child process."""
    began = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M",
                           str(Path(sys.executable).parent / "termline"), *args], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak_kb = int(done.stderr.split()[-1])  # GNU time's %M: this command's own peak
    return wall, peak_kb / 1024, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, required=True)
    parser.add_argument("--db", default="sqlite:///out/import-bench.db")
    parser.add_argument("--dir", type=Path, default=Path("out/book"))
    parser.add_argument("--yaml", action="store_true", help="also time the YAML scenario")
    parser.add_argument("--write-yaml", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.write_yaml:
        n, folder = opts.contracts, opts.dir
        write_yaml(folder / f"book-{n}.jsonl", folder / f"events-{n}.jsonl",
                   folder / f"book-{n}.yaml")
        return
    contracts, events, scenario = write_book(opts.contracts, opts.dir, opts.yaml)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    report: dict[str, object] = {"commit": commit, "load_average": os.getloadavg()[0],
                                 "contracts": opts.contracts,
                                 "db": opts.db.split("://")[0],
                                 "jsonl_mb": round((contracts.stat().st_size
                                                    + events.stat().st_size) / 2**20, 1)}
    runs = [("jsonl", ["import", "--contracts", str(contracts), "--events", str(events)])]
    if scenario is not None:
        report["yaml_mb"] = round(scenario.stat().st_size / 2**20, 1)
        runs.append(("yaml", ["import", str(scenario)]))
    for name, args in runs:
        url = fresh_database(opts.db, "termline_bench_import")
        env = {**os.environ, "TERMLINE_DATABASE_URL": url}
        timed(["db", "upgrade"], env)
        timed(["tenant", "add", "bench"], env)
        wall, peak, output = timed(args, env)
        report[f"{name}_s"] = round(wall, 1)
        report[f"{name}_peak_rss_mb"] = round(peak)
        report[f"{name}_output"] = output
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    bootstrap()
    main()
