"""Customers and contracts in memory (`app.ports.Contracts`)."""

from __future__ import annotations

from datetime import timedelta

from termline.adapters.memory.memory_policies import MemoryPolicies
from termline.adapters.memory.memory_tables import ContractRow, MemoryTables, RunRow, conflict
from termline.adapters.sql.codec import encode
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.store_records import StoredContract, digest
from termline.domain.contract.model import Contract, Customer
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy


class MemoryContracts:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def customer(self, tenant_id: int, customer: Customer) -> int:
        key = (tenant_id, digest(dumps([customer.name, customer.country, customer.email])))
        found = self.tables.customers.get(key)
        if found is None:
            found = self.tables.customers[key] = self.tables.new_id("customers")
        return found

    def add_contract(self, tenant_id: int, contract: Contract, policy: Policy) -> int:
        if any(row.tenant_id == tenant_id and row.ref == contract.id
               for row in self.tables.contracts.values()):
            raise conflict("contracts", (tenant_id, contract.id))
        version = MemoryPolicies(self.tables).policy_version(policy)
        customer = self.customer(tenant_id, contract.customer)
        contract_id = self.tables.new_id("contracts")
        self.tables.contracts[contract_id] = ContractRow(
            contract_id, tenant_id, contract.id, customer, version, contract.start,
            policy.currency, contract.model_dump_json(by_alias=True))
        self.tables.runs[contract_id] = RunRow(
            contract_id, tenant_id, dumps(encode(ContractState(), ContractState)),
            contract.start - timedelta(days=1), contract.start, None, 0)
        return contract_id

    def contracts(self, tenant_id: int | None = None, ref: str | None = None
                  ) -> list[StoredContract]:
        return [stored_contract(row) for _, row in sorted(self.tables.contracts.items())
                if (tenant_id is None or row.tenant_id == tenant_id)
                and (ref is None or row.ref == ref)]


def stored_contract(row: ContractRow) -> StoredContract:
    return StoredContract(row.id, row.tenant_id, Contract.model_validate_json(row.document),
                          row.policy_version_id)
