"""`termline policy ...`: write, check, document and cover a policy, built-in or one's own."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from termline.domain.errors import TermlineError
from termline.domain.policy import BUILTIN_PACKS, load_pack, resolve_policy
from termline.domain.policy.policy_file import PACKS
from termline.entrypoints.cli import render

policy_app = typer.Typer(no_args_is_help=True,
                         help="Write, check, show and cover policies (built-in or your own).")
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")


def _fail(exc: TermlineError) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(2)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _policy(ref: str) -> Any:
    try:
        return load_pack(ref) if ref in BUILTIN_PACKS else resolve_policy(ref)
    except TermlineError as exc:
        _fail(exc)


@policy_app.command("check")
def policy_check(file: Path,
                 format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
                 ) -> None:
    """Validate a policy file: every problem at once, each with its line and rule by name.

    Exit 2 on an error; warnings (smells of a valid policy) are listed and exit 0. A draft
    (`policy draft`) whose only problems are its TODOs exits 1: it is valid as far as it goes,
    but nothing runs it until every TODO is written, so a `policy check` gate never passes it.
    """
    from termline.domain.policy.check import check_text, is_draft

    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        err.print(f"[bold red]error:[/] {file}: cannot read: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from None
    policy, problems = check_text(text, str(file))
    draft = is_draft(policy, problems)
    if format is Format.json:
        _print_json({"file": str(file), "valid": policy is not None or draft, "draft": draft,
                     "problems": [p.to_json() for p in problems]})
        if draft:
            raise typer.Exit(1)
    else:
        for problem in problems:
            colour = "red" if problem.severity == "error" else "yellow"
            err.print(f"[{colour}]{file}[/], {problem}", highlight=False, markup=True)
        if draft:
            out.print(f"{file}: valid draft with {len(problems)} TODO"
                      f"{'' if len(problems) == 1 else 's'}: write them before it runs")
            raise typer.Exit(1)
        if policy is not None:
            rules = len(render.policy_rules(policy))
            warnings = len(problems)
            out.print(f"{file}: valid policy [bold]{policy.pack}[/] ({rules} rules, "
                      f"{len(policy.coverage)} coverage rows, {warnings} warning"
                      f"{'' if warnings == 1 else 's'})")
    if policy is None and not draft:
        raise typer.Exit(2)


@policy_app.command("schema")
def policy_schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the policy format, for editors and CI."""
    from termline.domain.policy.jsonschema import policy_json_schema

    _print_json(policy_json_schema())


@policy_app.command("show")
def policy_show(pack: str, format: Annotated[Format, typer.Option("--format", "-f")] = Format.table
                ) -> None:
    """Print a policy's rules with their clauses and the readings chosen for ambiguous text."""
    policy = _policy(pack)
    if format is Format.json:
        _print_json({"pack": policy.pack, "source": policy.source.model_dump(mode="json"),
                     "rules": render.policy_rules(policy)})
    else:
        out.print(render.policy_table(policy))


@policy_app.command("clauses")
def policy_clauses(
    terms: Path,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    policy: Annotated[str | None, typer.Option(
        help="A policy whose source.parts names the appendices' prefixes.")] = None,
) -> None:
    """List the numbered clauses of a terms text: 4.2, 4.2.1, Artikel 13, 13. with paragraphs."""
    from termline.domain.policy.clauses import extract_clauses

    parts = _policy(policy).source.parts if policy else None
    try:
        text = terms.read_text("utf-8")
    except OSError as exc:
        err.print(f"[bold red]error:[/] {terms}: cannot read: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from None
    found = extract_clauses(text, parts)
    if not found:
        err.print(f"[yellow]warning:[/] {terms}: no numbered clause found (recognised: 4.2, "
                  "13., 1 Title, Article/Artikel/Art./§ 13, (1)/Abs. 1, a)/lit. a), GTS-P4, "
                  "Annex 2)", highlight=False)
    if format is Format.json:
        _print_json([c.to_json() for c in found])
        if not found:
            raise typer.Exit(1)
        return
    table = Table(title=f"Clauses of {terms}")
    for column in ("clause", "title", "line"):
        table.add_column(column)
    for c in found:
        table.add_row(c.clause, c.title, str(c.line))
    if not found:
        raise typer.Exit(1)
    out.print(table)


def _test_exists(ref: str, base: Path | None) -> str | None:
    """A `file::name` test must be a file found from here, the policy's folder or the source
    checkout termline runs from, and must define `name`."""
    import ast

    import termline

    file, _, name = ref.partition("::")
    checkout = Path(termline.__file__).resolve().parents[2]
    candidates = [Path(file), checkout / file] + ([base / file] if base is not None else [])
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return f"test file {file} not found"
    tree = ast.parse(path.read_text("utf-8"))
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return None if name.split("[")[0] in names else f"{file} has no test {name}"


def _scenario_evidence(base: Path | None) -> Any:
    """A check of a coverage row whose evidence is a scenario file: it runs, and some action
    of it cites one of the row's clauses."""
    from termline.domain.contract import load_scenario
    from termline.domain.engine.simulate import simulate_scenario
    from termline.domain.policy.coverage import row_pieces

    def check(entry: Any) -> str | None:
        if "::" in entry.test:
            return _test_exists(entry.test, base)
        path = Path(entry.test)
        if not path.is_absolute() and base is not None and (base / path).exists():
            path = base / path
        if not path.exists():
            return f"scenario {entry.test} not found"
        try:
            result = simulate_scenario(load_scenario(path))
        except TermlineError as exc:
            return f"scenario {entry.test} does not run: {exc}"
        wanted = set(row_pieces(entry.clause))
        if not any(wanted & set(a.clauses) for a in result.actions):
            return f"scenario {entry.test}: no action cites {', '.join(sorted(wanted))}"
        return None

    return check


@policy_app.command("coverage")
def policy_coverage(
    pack: str,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    terms: Annotated[Path | None, typer.Option(
        help="The terms text: every numbered clause of it must be accounted for.")] = None,
) -> None:
    """Every clause of the terms: implemented (with its test), later, not operational.

    With --terms, exit 0 only when every clause of the text is accounted for, no row names a
    clause the text lacks, every clause a rule cites has a row, every scenario given as
    evidence runs and cites its clause, and every test named (file::name) that can be found
    from here exists.
    """
    policy = _policy(pack)
    if terms is not None:
        _coverage_against(policy, pack, terms, format)
        return
    if format is Format.json:
        rows = []
        for entry in policy.coverage:
            row: dict[str, Any] = {"clause": entry.clause, "title": entry.title,
                                   "status": entry.status}
            if entry.test:
                row["test"] = entry.test
            if entry.mechanism:
                row["mechanism"] = entry.mechanism
            if entry.reason:
                row["reason"] = entry.reason
            rows.append(row)
        _print_json(rows)
    else:
        out.print(render.coverage_table(policy))


def _coverage_against(policy: Any, ref: str, terms: Path, format: Format) -> None:
    from termline.domain.policy.clauses import extract_clauses
    from termline.domain.policy.coverage import cover_text

    try:
        text = terms.read_text("utf-8")
    except OSError as exc:
        err.print(f"[bold red]error:[/] {terms}: cannot read: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from None
    base = None if ref in BUILTIN_PACKS else Path(ref).parent
    clauses = extract_clauses(text, policy.source.parts)
    if not clauses:
        err.print(f"[yellow]warning:[/] {terms}: no numbered clause found: nothing to cover",
                  highlight=False)
        raise typer.Exit(1)
    result = cover_text(policy, clauses, _scenario_evidence(base))
    if format is Format.json:
        _print_json(result.to_json())
    else:
        for unaccounted in result.unaccounted:
            err.print(f"{terms}, line {unaccounted.line}: clause {unaccounted.clause} "
                      f"({unaccounted.title}) is not accounted for", highlight=False)
        for row, missing in result.unknown_rows:
            err.print(f"coverage row {row!r}: clause {missing} is not in {terms}",
                      highlight=False)
        for rule, cited in result.uncited:
            err.print(f"rule {rule} cites clause {cited}, which no coverage row lists",
                      highlight=False)
        for row, problem in result.evidence:
            err.print(f"coverage row {row!r}: {problem}", highlight=False)
        accounted = len(result.clauses) - len(result.unaccounted)
        out.print(f"{policy.pack}: {accounted} of {len(result.clauses)} clauses of {terms} "
                  f"accounted for" + ("" if result.ok else " [bold red](incomplete)[/]"))
    if not result.ok:
        raise typer.Exit(1)


class DraftLanguage(StrEnum):
    en = "en"
    nl = "nl"
    fr = "fr"
    de = "de"
    da = "da"


@policy_app.command("draft")
def policy_draft(
    terms: Path,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=(
        "Write the draft policy here (YAML).")) ] = None,
    language: Annotated[DraftLanguage | None, typer.Option(
        help="The text's language (detected when not given).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Draft a policy from a terms text: every value found is set with its clause and quoted
    sentence, every rule not found is a TODO naming the clauses that probably govern it.

    --format json prints the findings ({field, value, clause, quote, confidence}).
    """
    from termline.domain.drafting import draft_policy

    try:
        text = terms.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        err.print(f"[bold red]error:[/] {terms}: cannot read: {reason}", highlight=False)
        raise typer.Exit(2) from None
    yaml_text, findings = draft_policy(text, str(terms), language.value if language else None)
    if format is Format.json:
        _print_json([finding.to_json() for finding in findings])
    elif output is None:
        sys.stdout.write(yaml_text)  # the draft itself, for a pipe or a redirect
    else:
        table = Table(title=f"Values found in {terms}")
        for column in ("field", "value", "clause", "confidence", "read from"):
            table.add_column(column)
        for finding in findings:
            table.add_row(finding.field, str(finding.to_json()["value"]), finding.clause,
                          f"{finding.confidence:.1f}", finding.source)
        out.print(table)
    if output is not None:
        output.write_text(yaml_text, "utf-8")
        todos = yaml_text.count(': "TODO')
        err.print(f"{output} written: {len(findings)} values found, {todos} TODOs left; "
                  f"`termline policy check {output}` lists them", highlight=False)


@policy_app.command("readings")
def policy_readings(policies: Annotated[list[str] | None, typer.Argument(
        help="Packs or policy files (default: the built-in packs).")] = None) -> None:
    """Every reading the policies chose for ambiguous clauses, as Markdown."""
    chosen = [_policy(ref) for ref in policies] if policies else \
        [load_pack(p) for p in BUILTIN_PACKS]
    sys.stdout.write(render.readings_markdown(chosen))


_HEADER = """\
# Policy {name}, started from the built-in pack {base!r} by `termline policy new`.
#
# Make it say what YOUR terms say, rule by rule:
#   1. `termline policy clauses TERMS.txt` lists the numbered clauses of your terms.
#   2. Change every value below to your terms' wording, with `clause:` naming your clause
#      (quoted: "4.2"). Write the reading you chose in `notes:` where the text is ambiguous.
#      Optional sections your terms do not have (prices, usage, sla, support, privacy,
#      backups, liability) can be deleted; a trial your terms do not offer is `offered: false`.
#   3. Replace the `coverage:` rows: one row per clause of your text (implemented with its
#      test or scenario file, not_operational with a reason, later with the mechanism).
#   4. `termline policy check {file}` reports every problem with its line;
#      `termline policy coverage {file} --terms TERMS.txt` must exit 0.
#   5. `termline policy schema > policy.schema.json` lets an editor complete and check this file.
#   The format reference: docs/policy-reference.md.

"""


@policy_app.command("new")
def policy_new(
    file: Path,
    from_: Annotated[str, typer.Option("--from", help="The built-in pack to start from.")
                     ] = "smartweb",
) -> None:
    """Write a commented starting point for your own policy, copied from a built-in pack."""
    import re
    from importlib import resources

    if from_ not in BUILTIN_PACKS:
        _fail(TermlineError(f"no built-in pack {from_!r} (built-in: {', '.join(BUILTIN_PACKS)})"))
    if file.exists():
        _fail(TermlineError(f"{file} exists; not overwritten"))
    text = resources.files(PACKS).joinpath(f"{from_}.yaml").read_text("utf-8")
    name = re.sub(r"[^a-z0-9_-]+", "-", file.stem.lower()).strip("-") or "my-terms"
    text = re.sub(r"^pack: .*$", f"pack: {name}", text, count=1, flags=re.M)
    file.write_text(_HEADER.format(name=name, base=from_, file=file.name) + text, "utf-8")
    err.print(f"{file} written from {from_}: edit it, then `termline policy check {file}`",
              highlight=False)


@policy_app.command("reference")
def policy_reference() -> None:
    """Print the format reference (Markdown) generated from the models: docs/policy-reference.md."""
    from termline.domain.policy.reference import reference_markdown

    sys.stdout.write(reference_markdown())
