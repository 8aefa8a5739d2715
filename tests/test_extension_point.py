"""The engine's extension point (issues 11 and 16): mechanisms plug in without the engine
importing them, and one added with one more entry in the registry brings its rules (a policy
section), its state (kept and stored on the contract state) and its events (read wherever events
enter). The mechanism proving it lives in tests/extension_example/, its own folder."""

from __future__ import annotations

import ast
import dataclasses
import json
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient

import termline.domain.registry
from scenario_helpers import run
from termline.adapters.sql.codec import CodecError, decode, encode
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake, views
from termline.app import run as store_run
from termline.app.inputs import parse_event, read_events
from termline.app.keys import create_key
from termline.domain.contract import parse_scenario
from termline.domain.contract.event_kinds import EventBase
from termline.domain.engine import SimulationResult, simulate_scenario
from termline.domain.engine.actions import added_action
from termline.domain.engine.extension import Mechanism, MechanismsNotInstalled, install, mechanisms
from termline.domain.engine.state import ContractState
from termline.domain.errors import InputError, PolicyError, ScenarioError
from termline.domain.policy.policy_file import apply_overrides, load_policy_file
from termline.domain.policy.stored import policy_from_text, policy_text
from termline.entrypoints.api.app import create_app
from tests.extension_example.rules import OnboardingRule
from tests.extension_example.run import MECHANISM as ONBOARDING
from tests.extension_example.state import OnboardingState
from tests.store.conftest import database_url

SRC = Path(__file__).resolve().parent.parent / "src"
BUILT_IN = termline.domain.registry.MECHANISMS


def _imports(path: Path) -> set[str]:
    """Every termline module a source file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("termline"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("termline"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {}
    for path in (SRC / "termline").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            while imported and imported not in modules:  # `from pkg import module` lands on pkg
                imported = imported.rpartition(".")[0]
            if imported:
                targets.add(imported)
        graph[name] = targets - {name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_runs_through_the_engine() -> None:
    """No engine module imports, directly or through others, a module that imports the engine
    back: the engine does not know its mechanisms; termline.domain.registry assembles them."""
    graph = _graph()
    engine = [m for m in graph if m.startswith("termline.domain.engine.")]
    cycles = {m: sorted(n for n in _reaches(graph, m) if m in _reaches(graph, n))
              for m in engine}
    assert {m: c for m, c in cycles.items() if c} == {}
    assert not any("termline.domain.registry" in _reaches(graph, m) for m in engine)


def _run_beside(extra: Mechanism, pack: str, until: str, terms: str) -> SimulationResult:
    """One contract c of `pack` from 2027-01-04 (45.00 a month, with `terms`) run to `until`
    with `extra` installed beside the registry's mechanisms, which are installed again after."""
    install((*termline.domain.registry.MECHANISMS, extra))
    try:
        return run(f"""
policy: {pack}
until: {until}
contracts:
  - id: c
    customer: {{name: C, country: BE}}
    start: 2027-01-04
    {terms}
    lines:
      - {{item: Seat, unit_price: "45.00", per: month, quantity: 1}}
events: []
""")
    finally:
        install(termline.domain.registry.MECHANISMS)


def test_a_new_mechanism_is_one_more_entry_in_the_installed_tuple() -> None:
    """A mechanism defined outside the engine (here, in the test) runs its phase each day once
    installed: the engine finds it through the extension point only. Its new kind of action is
    the mechanism's own (`actions=`), published while it is installed (the autouse check of
    tests/conftest.py reads `kinds.published()`) and not after."""
    from termline.adapters.notify import kinds

    def greet(state, ctx, day):  # type: ignore[no-untyped-def]
        if day == date(2027, 1, 5):
            return state, [added_action(day, "greeted", ctx.contract.id, ("1.1",))]
        return state, []

    extra = Mechanism("greeter", {}, (greet,), lambda s, c, d: date(2027, 1, 5)
                      if d < date(2027, 1, 5) else None, actions=("greeted",))
    assert "greeted" not in kinds.published()
    result = _run_beside(extra, "smartweb", "2027-01-10", "")
    assert [(a.date, a.kind) for a in result.actions if a.kind == "greeted"] == [
        (date(2027, 1, 5), "greeted")]
    assert mechanisms() is termline.domain.registry.MECHANISMS
    assert "greeted" not in kinds.published()
    with pytest.raises(ValueError, match="greeted"):
        added_action(date(2027, 1, 5), "greeted", "c", ("1.1",))


def test_an_added_mechanism_s_end_of_day_phase_sees_the_day_s_termination() -> None:
    """A mechanism's daily phases run before the day's end (a trial's end, a notice's
    effective termination); its `end_of_day` phases run after them, on the state the days
    until the next step keep (what `sla.run.carry` relies on). Smartconnect 9.2/9.3: a 30-day
    trial from 4 January runs to 2 February and, not converted, lapses at that day's end: the
    daily phase still sees the trial on 2 February, the end-of-day phase the ended contract."""

    def seen(kind: str) -> Callable[..., Any]:
        def phase(state, ctx, day):  # type: ignore[no-untyped-def]
            if state.trial_end == day:
                return state, [added_action(day, kind, ctx.contract.id, ("9.2",),
                                            status=state.status)]
            return state, []
        return phase

    extra = Mechanism("watcher", {}, (seen("seen_by_day"),), lambda s, c, d: None,
                      actions=("seen_by_day", "seen_at_end"),
                      end_of_day=(seen("seen_at_end"),))
    result = _run_beside(extra, "smartconnect", "2027-03-31", "trial_days: 30")
    assert [(a.date, a.kind, dict(a.fields)["status"]) for a in result.actions
            if a.kind.startswith("seen_")] == [
        (date(2027, 2, 2), "seen_by_day", "trial"),
        (date(2027, 2, 2), "seen_at_end", "terminated")]


def test_an_added_mechanism_cannot_take_a_built_in_action_kind_or_share_one() -> None:
    """The added kinds never meet the built-in matching by name (the projection's, the
    numbering's, the notices'): installing one that is built in, or two mechanisms with the
    same kind, is refused, and what was installed stays installed."""
    from termline.adapters.notify import kinds

    before = kinds.published()
    taken = Mechanism("taker", {}, actions=("invoice_issued",))
    with pytest.raises(ValueError, match="invoice_issued"):
        install((*termline.domain.registry.MECHANISMS, taken))
    twice = (Mechanism("one", {}, actions=("waved",)), Mechanism("two", {}, actions=("waved",)))
    with pytest.raises(ValueError, match="waved"):
        install((*termline.domain.registry.MECHANISMS, *twice))
    assert mechanisms() is termline.domain.registry.MECHANISMS
    assert kinds.published() == before


def test_running_without_installed_mechanisms_is_a_clear_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import termline.domain.engine.extension as extension

    monkeypatch.setattr(extension, "_installed", None)
    with pytest.raises(MechanismsNotInstalled, match=r"bootstrap\(\)"):
        mechanisms()


# -- a mechanism with rules, state and events (tests/extension_example: onboarding, clause A.1)

PACKS = SRC / "termline" / "domain" / "policy" / "packs"
SECTION = """
onboarding:
  clause: "A.1"
  sessions: 3
  within: 30 days
"""


def _policy(tmp_path: Path, section: str = SECTION) -> Path:
    """SmartWeb's pack with the onboarding addendum (A.1: 3 sessions within 30 days)."""
    text = (PACKS / "smartweb.yaml").read_text("utf-8")
    path = tmp_path / "onboarding.yaml"
    path.write_text(text.replace("pack: smartweb\n", "pack: smartweb-onboarding\n")
                    + section, "utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(start))


SCENARIO = """\
policy: onboarding.yaml
until: 2027-02-28
contracts:
  - id: c
    customer: {name: C}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
  - id: d
    customer: {name: D}
    start: 2027-01-04
    lines:
      - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
events:
  - {date: 2027-01-10, type: session_held, contract: c, minutes: 60}
  - {date: 2027-01-20, type: session_held, contract: c, minutes: 90}
  - {date: 2027-02-10, type: session_held, contract: c, minutes: 30}
  - {date: 2027-01-05, type: session_held, contract: d, minutes: 45}
  - {date: 2027-01-06, type: session_held, contract: d, minutes: 45}
  - {date: 2027-01-07, type: session_held, contract: d, minutes: 45}
  - {date: 2027-01-08, type: session_held, contract: d, minutes: 45}
"""
KINDS = ("onboarding_session_held", "onboarding_window_closed")


@pytest.fixture
def onboarding(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The onboarding mechanism installed as a product would: one more entry in the registry's
    tuple, then `bootstrap()`. Its action kinds are published by the registry with it."""
    monkeypatch.setattr(termline.domain.registry, "MECHANISMS",
                        (*termline.domain.registry.MECHANISMS, ONBOARDING))
    termline.domain.registry.bootstrap()
    yield
    monkeypatch.undo()
    termline.domain.registry.bootstrap()


def _onboarding_actions(actions: list[dict[str, Any]], contract: str) -> list[tuple[Any, ...]]:
    return [(a["date"], a["kind"], a["clauses"],
             {k: a[k] for k in ("session", "left", "minutes", "unused", "reason") if k in a})
            for a in actions if a["contract"] == contract
            and (a["kind"] in KINDS or a.get("event") == "session_held")]


def test_installed_its_section_validates_its_events_are_read_and_its_actions_cite_A1(
        onboarding: None, tmp_path: Path) -> None:
    """A.1: 3 sessions within 30 days of the start (2027-01-04 + 30 days = 2027-02-03).
    c holds 2 (01-10: 2 left, 01-20: 1 left); on 02-03 the window closes with 1 unused, and
    the session of 02-10 is refused. d holds 3 by 01-07; its fourth, on 01-08, is refused."""
    policy = load_policy_file(_policy(tmp_path))
    assert policy.extension(OnboardingRule) == OnboardingRule.model_validate(
        {"clause": "A.1", "sessions": 3, "within": "30 days"})
    assert policy.support is not None  # the built-in sections stay typed fields
    result = simulate_scenario(parse_scenario(SCENARIO, "<test>", base_dir=tmp_path))
    actions = result.to_json()["actions"]
    assert _onboarding_actions(actions, "c") == [
        ("2027-01-10", "onboarding_session_held", ["A.1"],
         {"session": 1, "left": 2, "minutes": 60}),
        ("2027-01-20", "onboarding_session_held", ["A.1"],
         {"session": 2, "left": 1, "minutes": 90}),
        ("2027-02-03", "onboarding_window_closed", ["A.1"], {"unused": 1}),
        ("2027-02-10", "event_refused", ["A.1"],
         {"reason": "the onboarding window closed on 2027-02-03"}),
    ]
    assert _onboarding_actions(actions, "d")[2:] == [
        ("2027-01-07", "onboarding_session_held", ["A.1"],
         {"session": 3, "left": 0, "minutes": 45}),
        ("2027-01-08", "event_refused", ["A.1"], {"reason": "all 3 sessions are used"}),
        ("2027-02-03", "onboarding_window_closed", ["A.1"], {"unused": 0}),
    ]
    assert result.states["c"].extension(OnboardingState) == OnboardingState(
        held=(date(2027, 1, 10), date(2027, 1, 20)), closed=date(2027, 2, 3))


def test_its_section_is_checked_on_its_line_like_a_built_in_one(
        onboarding: None, tmp_path: Path) -> None:
    path = _policy(tmp_path, SECTION.replace("sessions: 3", "sessions: 0"))
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert (caught.value.message, caught.value.source, caught.value.line,
            caught.value.field) == ("Input should be greater than 0", str(path),
                                    _line_of(path, "  sessions:"), "onboarding.sessions")


def test_a_contract_overrides_its_section_where_the_policy_lets_it(
        onboarding: None, tmp_path: Path) -> None:
    """A.1 left to the contract: `onboarding.sessions` overridable, 5 sessions instead of 3;
    `within` stays fixed by the policy."""
    path = _policy(tmp_path)
    path.write_text(path.read_text("utf-8").replace(
        "overridable:\n", "overridable:\n  - onboarding.sessions\n"), "utf-8")
    rules = apply_overrides(str(path), {"onboarding": {"sessions": 5}}).extension(OnboardingRule)
    assert rules is not None and (rules.sessions, str(rules.within)) == (5, "30 days")
    with pytest.raises(PolicyError, match="not overridable") as caught:
        apply_overrides(str(path), {"onboarding.within": "60 days"})
    assert caught.value.field == "overrides.onboarding.within"


def test_not_installed_its_section_and_its_events_are_unknown(tmp_path: Path) -> None:
    """Without the registry entry the same policy is refused naming the key, on its line, and
    its event is an unknown type in a scenario and on the command line."""
    path = _policy(tmp_path)
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert (caught.value.message, caught.value.line, caught.value.field) == (
        "unknown field (not part of the format)", _line_of(path, "onboarding:"), "onboarding")
    with pytest.raises(ScenarioError, match="unknown event type 'session_held'") as refused:
        parse_scenario(SCENARIO.replace("policy: onboarding.yaml", "policy: smartweb"))
    assert refused.value.field == "events.0.type"
    with pytest.raises(InputError, match="unknown event type 'session_held'"):
        parse_event({"date": "2027-01-10", "type": "session_held", "contract": "c",
                     "minutes": 60})


def test_its_state_is_stored_by_name_and_a_state_without_it_reads_as_its_default(
        onboarding: None) -> None:
    held = ContractState().with_extension(OnboardingState(held=(date(2027, 1, 10),)))
    stored = json.loads(json.dumps(encode(held, ContractState)))
    assert stored == {"extensions": {"onboarding": {"held": ["2027-01-10"]}}}
    assert decode(ContractState, stored) == held
    # a state stored before the mechanism was installed: its default
    assert decode(ContractState, {}).extension(OnboardingState) == OnboardingState()
    # back at its default, it is not kept at all
    assert held.with_extension(OnboardingState()) == ContractState()
    install(termline.domain.registry.MECHANISMS[:-1])
    try:
        with pytest.raises(CodecError, match="onboarding, which no installed mechanism keeps"):
            decode(ContractState, stored)
    finally:
        install(termline.domain.registry.MECHANISMS)


NOW = datetime(2027, 2, 15, 9, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


def test_in_the_store_its_policy_events_and_state_survive_the_round_trip(
        onboarding: None, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store keeps the policy with its section, the events (scenario, the API, an event
    file) and the state between runs: c's third session, posted after a run to 01-31 read its
    state back, is session 3 with none left (A.1: 3 included); on 02-03 none lapse. Without
    the mechanism, the API refuses its event as of an unknown type."""
    engine = make_engine(db_url)
    upgrade(engine)
    uow: Callable[[], Any] = lambda: SqlUnitOfWork(engine)  # noqa: E731
    try:
        _policy(tmp_path)
        scenario = textwrap.dedent(SCENARIO).split("  - id: d")[0] + textwrap.dedent("""\
            events:
              - {date: 2027-01-10, type: session_held, contract: c, minutes: 60}
              - {date: 2027-01-20, type: session_held, contract: c, minutes: 90}
            """)
        intake.add_tenant(uow(), "default")
        intake.import_scenario(uow(), parse_scenario(scenario, "<test>", base_dir=tmp_path))
        store_run.run(uow, date(2027, 1, 31))
        with uow() as work:
            (contract,) = work.repo.contracts(ref="c")
            state = work.repo.run_state(contract.id).state
            version = work.repo.policy(contract.policy_version_id)
        assert state.extension(OnboardingState) == OnboardingState(
            held=(date(2027, 1, 10), date(2027, 1, 20)))
        assert version.extension(OnboardingRule) is not None
        assert policy_from_text(policy_text(version)) == version
        key = create_key(engine, "default", ("write",), NOW).key
        api = TestClient(create_app(engine, lambda: NOW),
                         headers={"Authorization": f"Bearer {key}"})
        third = {"date": "2027-02-01", "type": "session_held", "contract": "c", "minutes": 30}
        answer = api.post("/v1/events", json=third)
        assert (answer.status_code, answer.json()["status"]) == (202, "stored"), answer.text
        events = tmp_path / "events.jsonl"
        events.write_text(
            '{"date": "2027-02-10", "type": "session_held", "contract": "c", "minutes": 30}\n',
            "utf-8")
        assert intake.add_events(uow(), read_events(events)) == (1, 0)
        store_run.run(uow, date(2027, 2, 28))
        actions = views.ledger(uow())["actions"]
        monkeypatch.setattr(termline.domain.registry, "MECHANISMS", BUILT_IN)
        api = TestClient(create_app(engine, lambda: NOW),
                         headers={"Authorization": f"Bearer {key}"})
        refused = api.post("/v1/events", json={**third, "date": "2027-02-02"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith(
            "body: Input tag 'session_held' found using 'type' does not match any of the "
            "expected tags: 'payment', ")
    finally:
        engine.dispose()
    assert _onboarding_actions(actions, "c") == [
        ("2027-01-10", "onboarding_session_held", ["A.1"],
         {"session": 1, "left": 2, "minutes": 60}),
        ("2027-01-20", "onboarding_session_held", ["A.1"],
         {"session": 2, "left": 1, "minutes": 90}),
        ("2027-02-01", "onboarding_session_held", ["A.1"],
         {"session": 3, "left": 0, "minutes": 30}),
        ("2027-02-03", "onboarding_window_closed", ["A.1"], {"unused": 0}),
        ("2027-02-10", "event_refused", ["A.1"],
         {"reason": "the onboarding window closed on 2027-02-03"}),
    ]


def test_its_action_kinds_can_be_subscribed_to_while_it_is_installed(
        onboarding: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A webhook endpoint may subscribe to the kinds the mechanism declares (`actions=`),
    published by the registry with it (no edit of `ActionKind`); without it they are typos."""
    from termline.app.webhook_endpoints import check_kinds

    assert check_kinds(["onboarding_window_closed", "invoice_issued"]) == [
        "onboarding_window_closed", "invoice_issued"]
    monkeypatch.setattr(termline.domain.registry, "MECHANISMS", BUILT_IN)
    termline.domain.registry.bootstrap()
    with pytest.raises(InputError, match="not an action kind: 'onboarding_window_closed'"):
        check_kinds(["onboarding_window_closed"])


def _subscribable(doc: dict[str, Any]) -> list[str]:
    return doc["components"]["schemas"]["EndpointIn"]["properties"]["events"]["items"]["enum"]


def test_its_action_kinds_are_in_the_openapi_enum_while_it_is_installed(
        onboarding: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18: the OpenAPI's enum of the kinds an endpoint may subscribe to is the published
    list as `bootstrap()` left it, the mechanism's two kinds included (the enum was fixed when
    the API's models were imported, before any mechanism was installed); without it, neither."""
    from termline.adapters.notify import kinds
    from termline.entrypoints.api.openapi import document

    assert _subscribable(document()) == ["*", *kinds.published()]
    assert set(KINDS) <= set(_subscribable(document()))
    monkeypatch.setattr(termline.domain.registry, "MECHANISMS", BUILT_IN)
    assert not set(KINDS) & set(_subscribable(document()))
    assert _subscribable(document()) == ["*", *kinds.published()]


class _Paid(EventBase):
    type: Literal["payment"]


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"name": "billing"}, ValueError,
     "its rules would take the built-in policy section 'billing'"),
    ({"events": (_Paid,), "handlers": {"payment": ONBOARDING.handlers["session_held"]}},
     ValueError, r"event types taken twice: \['payment'\]"),
    ({"handlers": {}}, ValueError, "brings event 'session_held' but no handler for it"),
    ({"state": OnboardingState}, TypeError, "default instance of a frozen dataclass"),
])
def test_what_it_brings_must_not_clash_and_a_refused_one_leaves_the_installed_ones(
        change: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        install((*BUILT_IN, dataclasses.replace(ONBOARDING, **change)))
    assert mechanisms() is BUILT_IN
    with pytest.raises(InputError, match="unknown event type 'session_held'"):
        parse_event({"date": "2027-01-10", "type": "session_held", "contract": "c",
                     "minutes": 60})
