"""What an e-mail carries attached, rendered when it is sent (`notify.dispatch.Dispatcher`'s
`attach`): the invoice's PDF as the store keeps it (rendered once, then served from `blobs`)
and the dunning letter from the content the run stored with the reminder."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, select

from termline.adapters.documents.letter import Letter, render
from termline.adapters.notify.dispatch import Attach, Attachment
from termline.adapters.sql import tables as t
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import documents
from termline.domain.errors import TermlineError


class AttachmentError(TermlineError):
    """An attachment could not be made; the e-mail is tried again later."""


def attacher(engine: Engine) -> Attach:
    def attach(row: Any) -> list[Attachment]:
        out: list[Attachment] = []
        for spec in json.loads(row.attachments or "[]"):
            try:
                if "invoice" in spec:
                    with engine.connect() as conn:
                        name = conn.execute(select(t.tenants.c.name).where(
                            t.tenants.c.id == row.tenant_id)).scalar_one()
                    number = str(spec["invoice"])
                    out.append((f"{number}.pdf", "application/pdf",
                                documents.pdf(SqlUnitOfWork(engine), str(name), number)))
                elif "letter" in spec:
                    letter = Letter.from_json(spec["letter"])
                    out.append((letter.filename, "application/pdf", render(letter)))
            except TermlineError:
                raise
            except Exception as exc:  # a render that fails must not pass for a sent e-mail
                raise AttachmentError(f"attachment {spec!r}: {type(exc).__name__}: {exc}"
                                      ) from exc
        return out

    return attach
