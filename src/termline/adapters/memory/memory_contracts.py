"""Customers and contracts in memory (`app.ports.Contracts`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta

from termline.adapters.memory.memory_policies import MemoryPolicies
from termline.adapters.memory.memory_tables import ContractRow, MemoryTables, RunRow, conflict
from termline.adapters.sql.codec import encode
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.store_records import StoredContract, customer_key
from termline.domain.contract.model import Contract, Customer
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy


class MemoryContracts:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def customer(self, tenant_id: int, customer: Customer) -> int:
        key = (tenant_id, customer_key(customer))
        found = self.tables.customers.get(key)
        if found is None:
            found = self.tables.customers[key] = self.tables.new_id("customers")
        return found

    def add_contract(self, tenant_id: int, contract: Contract, policy: Policy) -> int:
        version = MemoryPolicies(self.tables).policy_version(policy)
        customer = self.customer(tenant_id, contract.customer)
        return self.add_contracts(tenant_id, [(contract, policy, version, customer)])[0]

    def stored_refs(self, tenant_id: int, refs: Collection[str]) -> set[str]:
        wanted = set(refs)
        return {row.ref for row in self.tables.contracts.values()
                if row.tenant_id == tenant_id and row.ref in wanted}

    def customers(self, tenant_id: int, customers: Iterable[Customer]) -> dict[str, int]:
        return {customer_key(cu): self.customer(tenant_id, cu) for cu in customers}

    def add_contracts(self, tenant_id: int, rows: Sequence[tuple[Contract, Policy, int, int]],
                      documents: Sequence[str] | None = None) -> list[int]:
        refs = [contract.id for contract, *_ in rows]
        taken = self.stored_refs(tenant_id, refs) | {r for r, n in Counter(refs).items() if n > 1}
        if taken:  # all or nothing, as the SQL insert of the batch
            raise conflict("contracts", (tenant_id, sorted(taken)[0]))
        if documents is None:
            documents = [contract.model_dump_json(by_alias=True) for contract, *_ in rows]
        ids = []
        fresh = dumps(encode(ContractState(), ContractState))
        for (contract, policy, version, customer), document in zip(rows, documents,
                                                                     strict=True):
            contract_id = self.tables.new_id("contracts")
            self.tables.contracts[contract_id] = ContractRow(
                contract_id, tenant_id, contract.id, customer, version, contract.start,
                policy.currency, document)
            self.tables.runs[contract_id] = RunRow(
                contract_id, tenant_id, fresh, contract.start - timedelta(days=1),
                contract.start, None, 0)
            ids.append(contract_id)
        return ids

    def contracts(self, tenant_id: int | None = None, ref: str | None = None
                  ) -> list[StoredContract]:
        return [stored_contract(row) for _, row in sorted(self.tables.contracts.items())
                if (tenant_id is None or row.tenant_id == tenant_id)
                and (ref is None or row.ref == ref)]


def stored_contract(row: ContractRow) -> StoredContract:
    return StoredContract(row.id, row.tenant_id, Contract.model_validate_json(row.document),
                          row.policy_version_id)
