"""The compiled core (mypyc, `make compiled`) and the pure-Python reference run the same code.

`make test` runs the whole suite with TERMLINE_PURE=1, then the engine, mechanism, pack and
property tests again on the compiled core with TERMLINE_EXPECT_COMPILED=1, under which this
file checks that every listed module really came from its extension (a stale or missing build
would otherwise run pure and prove nothing).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from termline import compiled

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = compiled.BUILD / "manifest.json"


def _built() -> dict[str, dict[str, str]]:
    if not MANIFEST.is_file():
        if os.environ.get("TERMLINE_EXPECT_COMPILED"):
            pytest.fail(f"TERMLINE_EXPECT_COMPILED is set but {MANIFEST} is missing")
        pytest.skip("no compiled core built (make compiled)")
    modules: dict[str, dict[str, str]] = json.loads(MANIFEST.read_text())["modules"]
    return modules


@pytest.mark.skipif(not os.environ.get("TERMLINE_EXPECT_COMPILED"),
                    reason="the compiled run of make test sets TERMLINE_EXPECT_COMPILED")
def test_every_listed_module_runs_compiled() -> None:
    for name, module in _built().items():
        file = importlib.import_module(name).__file__ or ""
        assert file.endswith(Path(module["extension"]).name), f"{name} came from {file}"


def _run(code: str, pure: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TERMLINE_PURE"}
    if pure:
        env["TERMLINE_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_termline_pure_imports_the_source_files() -> None:
    built = _built()
    code = ("import importlib, sys\n"
            f"names = {sorted(built)!r}\n"
            "print('\\n'.join(importlib.import_module(n).__file__ for n in names))")
    assert all(f.endswith(".py") for f in _run(code, pure=True).split())
    assert all(f.endswith(".so") for f in _run(code, pure=False).split())


def test_a_stale_build_is_not_used(tmp_path: Path) -> None:
    """A manifest whose hash no longer matches a source: the package runs pure, warned."""
    built = json.loads((MANIFEST if MANIFEST.is_file() else _fail_or_skip()).read_text())
    first = next(iter(built["modules"].values()))
    first["sha256"] = "0" * 64
    (tmp_path / "manifest.json").write_text(json.dumps(built))
    env = {k: v for k, v in os.environ.items() if k != "TERMLINE_PURE"}
    env["TERMLINE_COMPILED_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-W", "always", "-c",
                           "import termline.domain.engine.step as s; print(s.__file__)"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("step.py")
    assert "older than" in done.stderr


def _fail_or_skip() -> Path:
    _built()
    return MANIFEST


def test_the_example_book_simulates_alike_pure_and_compiled() -> None:
    """The whole example scenario (five contracts, SmartWeb), actions and balances, compiled and
    pure: byte for byte the same JSON."""
    _built()
    code = ("from termline.entrypoints.cli.app import main\nimport sys\n"
            "sys.argv = ['termline', 'simulate', 'examples/smartweb.yaml', '--format', 'json']\n"
            "main()")
    pure, fast = _run(code, pure=True), _run(code, pure=False)
    assert json.loads(pure)["actions"], "the scenario produced no actions"
    assert fast == pure
