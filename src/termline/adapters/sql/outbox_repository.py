"""The e-mail outbox as the use cases write it (`app.ports.Outbox`): e-mails stored once per
message id, and the language stored with each contract, which addressing one reads. The
delivery (`notify.dispatch`) reads and marks the rows itself."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from sqlalchemy import select

from termline.adapters.sql import service_tables as s
from termline.adapters.sql.sql_rows import SqlRows
from termline.adapters.sql.store_records import NewEmail

_FIELDS = tuple(f.name for f in dataclasses.fields(NewEmail))


class SqlOutbox(SqlRows):
    def add_emails(self, emails: Sequence[NewEmail]) -> int:
        if not emails:
            return 0
        # counted by the ids returned: a driver's rowcount of a multi-row insert is not the
        # count of new rows on PostgreSQL (it was 0 there)
        result = self.conn.execute(self.dialect().insert(s.emails).on_conflict_do_nothing(
            index_elements=["msg_id"]).returning(s.emails.c.id),
            [dataclasses.asdict(e) for e in emails])
        return len(result.all())

    def emails(self, tenant_id: int) -> list[NewEmail]:
        e = s.emails.c
        return [NewEmail(**{name: row._mapping[name] for name in _FIELDS})
                for row in self.conn.execute(select(*(e[name] for name in _FIELDS))
                                             .where(e.tenant_id == tenant_id).order_by(e.id))]

    def add_contract_info(self, tenant_id: int, contract_id: int, metadata: dict[str, str],
                          language: str) -> None:
        self.conn.execute(s.contract_info.insert().values(
            contract_id=contract_id, tenant_id=tenant_id, metadata=json.dumps(metadata),
            language=language))

    def contract_languages(self, tenant_id: int) -> dict[int, str]:
        ci = s.contract_info.c
        return {int(cid): str(language) for cid, language in self.conn.execute(
            select(ci.contract_id, ci.language).where(ci.tenant_id == tenant_id))}
