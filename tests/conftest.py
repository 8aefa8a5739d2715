import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
SHARED = ROOT.parent / "shared"

from termline.domain.registry import bootstrap  # noqa: E402

bootstrap()  # the mechanisms the engine runs, installed once for the whole session


def _build_each_cli_once() -> None:
    """typer's test runner builds the whole click command tree from the commands' annotations
    on every `invoke` (about 50 of a listing's 70 ms); an app's tree is the same each time, so
    the suite builds it once per app (the app is kept, so its id is never reused)."""
    import typer.testing

    build = typer.testing._get_command
    built: dict[int, tuple[Any, Any]] = {}

    def once(app: Any) -> Any:
        if id(app) not in built:
            built[id(app)] = (app, build(app))
        return built[id(app)][1]

    typer.testing._get_command = once


_build_each_cli_once()


def _close_what_each_cli_call_opens() -> None:
    """A command's engine lives as long as its process; run in the test's process by typer's
    runner, its pool kept its connections until the collector found it, and two test
    processes ran PostgreSQL out of connections. Each `invoke` disposes the engines it made
    (per thread: some tests invoke commands from several threads at once)."""
    import threading

    import typer.testing

    from termline.adapters.sql import db

    made = threading.local()
    create = db.create_engine

    def tracked(*args: Any, **kwargs: Any) -> Any:
        engine = create(*args, **kwargs)
        if getattr(made, "engines", None) is not None:
            made.engines.append(engine)
        return engine

    invoke = typer.testing.CliRunner.invoke

    def invoke_and_close(self: Any, *args: Any, **kwargs: Any) -> Any:
        outer, made.engines = getattr(made, "engines", None), []
        try:
            return invoke(self, *args, **kwargs)
        finally:
            for engine in made.engines:
                engine.dispose()
            made.engines = outer

    db.create_engine = tracked  # type: ignore[attr-defined]
    typer.testing.CliRunner.invoke = invoke_and_close  # type: ignore[method-assign]


_close_what_each_cli_call_opens()

pytest_plugins = ["tests.fast_tier"]  # `--fast`: the fast tier's guard (`make test-fast`)


@pytest.fixture
def shared() -> Path:
    """The reference folder ../shared; under CI=true it must be there."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing under CI=true")
        pytest.skip(f"reference folder {SHARED} is absent")
    return SHARED


@pytest.fixture(autouse=True)
def every_simulation_also_steps_only_on_wake_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every contract any test simulates is also run on its wake and event days only
    (`engine.wake`, which the store's run uses): actions and final state must be identical.

    This makes each scenario of the suite a test of the wake functions: a mechanism that acts
    on a day its wake did not announce fails the test that exercised it.
    """
    import importlib

    from termline.adapters.notify import kinds
    from termline.domain.engine.wake import run_contract_sparse

    simulate_module = importlib.import_module("termline.domain.engine.simulate")
    daily = simulate_module.run_contract

    def checked(ctx: Any, events: Any, until: Any, respond: Any = None) -> Any:
        state, actions = daily(ctx, events, until, respond)
        # the demo's responder is deterministic: it answers the same actions the same way
        sparse_state, sparse_actions = run_contract_sparse(ctx, events, until, respond)
        for i, (a, b) in enumerate(zip(actions, sparse_actions, strict=False)):
            assert a == b, f"{ctx.contract.id}: action {i} differs on wake days: {a} != {b}"
        assert len(actions) == len(sparse_actions), \
            f"{ctx.contract.id}: {len(actions)} actions daily, {len(sparse_actions)} on wake days"
        assert state == sparse_state, f"{ctx.contract.id}: final state differs on wake days"
        unpublished = {a.kind for a in actions} - set(kinds.published())
        assert not unpublished, \
            f"action kinds missing from ActionKind (domain/engine/actions.py): {unpublished}"
        return state, actions

    monkeypatch.setattr(simulate_module, "run_contract", checked)


@pytest.fixture(scope="session")
def peppol() -> Any:
    """CEN EN 16931 and Peppol BIS 3.0 rules from ../shared/peppol/xslt (compiled once)."""
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing under CI=true")
        pytest.skip(f"reference folder {SHARED} is absent")
    from termline.adapters.documents.validate import Validator

    return Validator(SHARED / "peppol" / "xslt")


@pytest.fixture(scope="session")
def valid(peppol: Any) -> Callable[[bytes], None]:
    """Assert a UBL document passes both rule sets without a fatal assertion."""

    def check(document: bytes) -> None:
        fatal = peppol.fatal(document)
        assert fatal == [], "\n".join(f"{a.rule_set} {a.id}: {a.text}" for a in fatal)

    return check
