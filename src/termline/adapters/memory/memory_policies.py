"""Policy versions in memory (`app.ports.Policies`): one per content."""

from __future__ import annotations

from termline.adapters.memory.memory_tables import MemoryTables
from termline.adapters.sql.store_records import digest
from termline.domain.policy.schema import Policy


class MemoryPolicies:
    def __init__(self, tables: MemoryTables) -> None:
        self.tables = tables

    def policy_version(self, policy: Policy) -> int:
        text = policy.model_dump_json(by_alias=True)
        key = digest(text)
        found = self.tables.policy_hashes.get(key)
        if found is not None:
            return found
        version = self.tables.new_id("policy_versions")
        self.tables.policy_versions[version] = text
        self.tables.policy_hashes[key] = version
        return version

    def policy(self, version_id: int) -> Policy:
        return Policy.model_validate_json(self.policy_text(version_id))

    def policy_text(self, version_id: int) -> str:
        return self.tables.policy_versions[version_id]
