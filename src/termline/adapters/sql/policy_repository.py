"""Policy versions: each distinct policy stored once, by the hash of its content."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import insert, select

from termline.adapters.sql import tables as t
from termline.adapters.sql.sql_rows import SqlRows, new_id
from termline.adapters.sql.store_records import digest
from termline.domain.policy.schema import Policy
from termline.domain.policy.stored import policy_from_text, policy_text

# A stored version's text never changes and a Policy is frozen: each text is read once per
# process (reading one back is most of what a single API request for an event costs).
# Keyed by the text itself, not the version id, so that stores of one process (tests'
# schemas, a replaced file) never share an entry by accident.
_read = lru_cache(maxsize=128)(policy_from_text)
read_policy = _read  # a policy read with its contract (`event_batch.contracts`)


class SqlPolicies(SqlRows):
    def policy_version(self, policy: Policy) -> int:
        """The id of the stored version with this exact content, stored now if new."""
        text = policy_text(policy)
        key = digest(text)
        found = self.conn.execute(select(t.policy_versions.c.id)
                                  .where(t.policy_versions.c.content_hash == key)).scalar()
        if found is not None:
            return int(found)
        result = self.conn.execute(insert(t.policy_versions).values(
            pack=policy.pack, content_hash=key, policy=text))
        return new_id(result)

    def policy(self, version_id: int) -> Policy:
        return _read(self.policy_text(version_id))

    def policy_text(self, version_id: int) -> str:
        return str(self.conn.execute(select(t.policy_versions.c.policy).where(
            t.policy_versions.c.id == version_id)).scalar_one())
