"""The `termline` command's entry point, which imports the command line only when it runs.

`run --jobs N` and `bench --jobs N` spawn their step processes, and a spawned process first
imports the module its parent started from (`multiprocessing`'s spawn: the main module again,
as `__mp_main__`). Started from `termline.entrypoints.cli.app`, each step process imported
the whole command line (Typer, Rich, every command's module, the store's driver) before its
first contract; from here it imports nothing more (docs/benchmarks.md, twenty-fifth round)."""

from __future__ import annotations


def main() -> None:
    from termline.entrypoints.cli.app import main as run

    run()
