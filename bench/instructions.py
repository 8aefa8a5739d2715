"""Counting a bench's work in instructions: the bench runs itself under callgrind as a child,
once to start and load only (`base`), once to do the work as well (`work`); the difference is
the work's (bench/step_instructions.py, bench/store_instructions.py)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def arguments(contracts: int, child: str, extra: dict[str, str] | None = None
              ) -> argparse.Namespace:
    """The bench's arguments (`--contracts`, `--no-valgrind`, each `--name default` of `extra`;
    `--child MODE ARGUMENT` for the runs under callgrind); valgrind required unless a child
    or `--no-valgrind`, and the count made with a fixed hash seed (`seeded`)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=contracts)
    for name, default in (extra or {}).items():
        parser.add_argument(f"--{name}", default=default)
    parser.add_argument("--no-valgrind", action="store_true",
                        help="time the same work in CPU µs instead of counting instructions")
    parser.add_argument("--child", nargs=2, metavar=("MODE", child), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child and not args.no_valgrind:
        require_valgrind()
        seeded()
    return args


def seeded() -> None:
    """Run again with `PYTHONHASHSEED=0` unless a seed is set, so that the book built here and
    the counts of the callgrind children (which inherit it) come out the same in every run:
    with a random seed the same code and input counted up to 2 % apart, with seed 0 within
    0.07 % (docs/benchmarks.md, twenty-fourth round)."""
    if "PYTHONHASHSEED" not in os.environ:
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**os.environ, "PYTHONHASHSEED": "0"})


def require_valgrind() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt install valgrind); "
                 "or pass --no-valgrind for CPU time")


def counted(script: str, mode: str, argument: Path, out: Path,
            options: Sequence[str] = ()) -> int:
    """The instructions of `script --child mode argument [options]` run under callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out / mode}.cg",
         sys.executable, script, "--child", mode, str(argument), *options],
        check=True, capture_output=True, text=True)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        sys.exit(f"callgrind reported no total:\n{done.stderr[-2000:]}")
    return int(found.group(1))
