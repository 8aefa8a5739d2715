"""Customers and contracts: a contract is stored with its run row, due on its first day."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta

from sqlalchemy import insert, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.bulk import BulkRows
from termline.adapters.sql.codec import encode
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.kept import count_new_contracts
from termline.adapters.sql.policy_repository import SqlPolicies
from termline.adapters.sql.sql_rows import SqlRows, new_id
from termline.adapters.sql.store_records import StoredContract, customer_key, stored_contract
from termline.domain.contract.model import Contract, Customer
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy


class SqlContracts(SqlRows):
    def customer(self, tenant_id: int, customer: Customer) -> int:
        key = customer_key(customer)
        found = self.conn.execute(select(t.customers.c.id).where(
            t.customers.c.tenant_id == tenant_id, t.customers.c.key == key)).scalar()
        if found is not None:
            return int(found)
        result = self.conn.execute(insert(t.customers).values(
            tenant_id=tenant_id, key=key, name=customer.name, country=customer.country,
            email=customer.email))
        return new_id(result)

    def add_contract(self, tenant_id: int, contract: Contract, policy: Policy) -> int:
        version = SqlPolicies(self.conn).policy_version(policy)
        result = self.conn.execute(insert(t.contracts).values(
            tenant_id=tenant_id, ref=contract.id, customer_id=self.customer(tenant_id,
                                                                            contract.customer),
            policy_version_id=version, start=contract.start, currency=policy.currency,
            document=contract.model_dump_json(by_alias=True)))
        contract_id = new_id(result)
        self.conn.execute(insert(t.contract_runs).values(
            contract_id=contract_id, tenant_id=tenant_id,
            state=dumps(encode(ContractState(), ContractState)),
            cursor=contract.start - timedelta(days=1), next_due=contract.start,
            action_count=0))
        count_new_contracts(self.conn, tenant_id, 1)
        return contract_id

    # many at once, through the driver (`bulk`): an intake of thousands of contracts
    def stored_refs(self, tenant_id: int, refs: Collection[str]) -> set[str]:
        return BulkRows(self.conn).stored_refs(tenant_id, refs)

    def customers(self, tenant_id: int, customers: Iterable[Customer]) -> dict[str, int]:
        return BulkRows(self.conn).customers(tenant_id, customers)

    def add_contracts(self, tenant_id: int, rows: Sequence[tuple[Contract, Policy, int, int]],
                      documents: Sequence[str] | None = None) -> list[int]:
        return BulkRows(self.conn).add_contracts(tenant_id, rows, documents)

    def contracts(self, tenant_id: int | None = None, ref: str | None = None
                  ) -> list[StoredContract]:
        query = select(t.contracts).order_by(t.contracts.c.id)
        if tenant_id is not None:
            query = query.where(t.contracts.c.tenant_id == tenant_id)
        if ref is not None:
            query = query.where(t.contracts.c.ref == ref)
        return [stored_contract(r.id, r) for r in self.conn.execute(query)]
