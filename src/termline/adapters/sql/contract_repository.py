"""Customers and contracts: a contract is stored with its run row, due on its first day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import encode
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.policy_repository import SqlPolicies
from termline.adapters.sql.sql_rows import SqlRows, new_id
from termline.adapters.sql.store_records import StoredContract, digest
from termline.domain.contract.model import Contract, Customer
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy


def customer_key(customer: Customer) -> str:
    """A customer's identity within its tenant: name, country and e-mail."""
    return digest(dumps([customer.name, customer.country, customer.email]))


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
        return contract_id

    def contracts(self, tenant_id: int | None = None, ref: str | None = None
                  ) -> list[StoredContract]:
        query = select(t.contracts).order_by(t.contracts.c.id)
        if tenant_id is not None:
            query = query.where(t.contracts.c.tenant_id == tenant_id)
        if ref is not None:
            query = query.where(t.contracts.c.ref == ref)
        return [stored_contract(r.id, r) for r in self.conn.execute(query)]


def stored_contract(contract_id: int, row: Any) -> StoredContract:
    return StoredContract(contract_id, row.tenant_id, Contract.model_validate_json(row.document),
                          row.policy_version_id)
