"""Rich rendering of actions, balances, deadlines and policies for `--format table`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from termline.domain.engine.simulate import SimulationResult
from termline.domain.mechanisms.tax.readings import vat_markdown
from termline.domain.policy.schema import DunningStep, Policy

_CORE = ("date", "kind", "contract", "clauses", "currency")


def _detail(row: dict[str, Any]) -> str:
    parts = []
    for key, value in row.items():
        if key in _CORE:
            continue
        if key == "amount" or key == "fee":
            value = f"{value} {row.get('currency', '')}".strip()
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def actions_table(result: SimulationResult, title: str = "Actions") -> Table:
    table = Table(title=title, show_lines=False)
    for col in ("date", "contract", "action", "clauses", "details"):
        table.add_column(col, overflow="fold")
    for act in result.actions:
        row = act.to_json()
        table.add_row(row["date"], row["contract"], row["kind"], ", ".join(row["clauses"]),
                      _detail(row))
    return table


def balances_table(result: SimulationResult) -> Table:
    table = Table(title="Open balances")
    for col in ("contract", "principal", "fees", "interest", "total", "credit", "currency"):
        table.add_column(col, justify="right" if col not in ("contract", "currency") else "left")
    for bal in result.balances:
        row = bal.to_json()
        table.add_row(*(row[c] for c in ("contract", "principal", "fees", "interest", "total",
                                         "credit", "currency")))
    return table


def print_simulation(console: Console, result: SimulationResult) -> None:
    console.print(actions_table(result))
    console.print(balances_table(result))


def deadlines_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for col in ("contract", "customer", "kind", "date", "clauses", "details"):
        table.add_column(col, overflow="fold")
    for row in rows:
        detail = ", ".join(f"{k}={v}" for k, v in row.items()
                           if k not in ("contract", "customer", "kind", "date", "clauses"))
        table.add_row(row["contract"], row.get("customer", ""), row["kind"], row["date"],
                      ", ".join(row["clauses"]), detail)
    return table


def policy_rules(policy: Policy) -> list[dict[str, Any]]:
    """Every rule of a policy with its clauses, flattened for display."""
    rows: list[dict[str, Any]] = []

    def walk(prefix: str, node: BaseModel) -> None:
        params: dict[str, Any] = {}
        children: list[tuple[str, BaseModel]] = []
        for name, info in type(node).model_fields.items():
            if name in ("clause", "notes"):
                continue
            value = getattr(node, name)
            key = info.alias or name
            if isinstance(value, BaseModel):
                children.append((f"{prefix}.{key}", value))
            elif isinstance(value, tuple) and value and isinstance(value[0], DunningStep):
                children += [(f"{prefix}.steps.{step.name}", step) for step in value]
            elif isinstance(value, dict) and value and all(
                    isinstance(v, BaseModel) for v in value.values()):
                children += [(f"{prefix}.{key}.{k}", v) for k, v in value.items()]
            elif isinstance(value, tuple) and value and all(
                    isinstance(v, BaseModel) for v in value):
                children += [(f"{prefix}.{key}.{getattr(v, 'item', None) or '*'}"
                              if "item" in type(v).model_fields else f"{prefix}.{key}.{i}", v)
                             for i, v in enumerate(value)]
            elif isinstance(value, tuple):
                if value:
                    params[key] = [str(v) for v in value]
            elif value is not None:
                params[key] = str(value) if not isinstance(value, (bool, int)) else value
        clauses = getattr(node, "clause", None)
        if clauses is not None:
            rows.append({"rule": prefix, "clauses": list(clauses), "parameters": params,
                         "notes": list(getattr(node, "notes", ()))})
        for child_prefix, child in children:
            walk(child_prefix, child)

    for name in ("start", "term", "termination", "provider_termination", "trial", "billing",
                 "payment", "seats", "dunning", "interest", "retention"):
        walk(name, getattr(policy, name))
    for name in ("compensation", "prices", "usage", "sla", "support", "privacy", "backups",
                 "liability"):
        section = getattr(policy, name)
        if section is not None:  # the optional sections of the issue-3 mechanisms
            walk(name, section)
    return rows


def policy_table(policy: Policy) -> Table:
    table = Table(title=f"{policy.title} [{policy.pack}]", show_lines=True)
    for col in ("rule", "clauses", "parameters", "notes"):
        table.add_column(col, overflow="fold")
    for row in policy_rules(policy):
        params = ", ".join(f"{k}={v}" for k, v in row["parameters"].items() if v is not None)
        table.add_row(row["rule"], ", ".join(row["clauses"]), params, "\n".join(row["notes"]))
    return table


def coverage_table(policy: Policy) -> Table:
    table = Table(title=f"Clause coverage: {policy.pack}")
    for col in ("clause", "title", "status", "evidence"):
        table.add_column(col, overflow="fold")
    for entry in policy.coverage:
        evidence = entry.test or entry.mechanism or entry.reason or ""
        if entry.status == "later" and entry.reason:
            evidence = f"{entry.mechanism}: {entry.reason}"
        table.add_row(entry.clause, entry.title, entry.status, evidence)
    return table


def readings_markdown(policies: list[Policy]) -> str:
    """Every reading a pack chose for ambiguous text: the notes next to its rules."""
    lines = ["# Readings chosen where the terms are ambiguous", "",
             "Generated from the packs' `notes:` by `termline policy readings`; "
             "`tests/test_docs.py` keeps this file in step with the packs.", ""]
    for policy in policies:
        lines += [f"## {policy.pack}: {policy.source.provider}", ""]
        for row in policy_rules(policy):
            for note in row["notes"]:
                lines.append(f"- `{row['rule']}` ({', '.join(row['clauses'])}): {note}")
        lines.append("")
    lines += vat_markdown(policies)
    return "\n".join(lines)
