"""Invoices: every numbered document (invoice, credit note, fee, interest) under its legal
number, with net, VAT, total, what is open, and its PDF and UBL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from termline.app import invoice_answers
from termline.domain.contract.bounds import ID_PATTERN
from termline.entrypoints.api.deps import Ctx, Limit, Reader
from termline.entrypoints.api.models import InvoiceList, InvoiceOut
from termline.entrypoints.api.problems import errors

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])
# the profile's prefix (A-Z a-z 0-9 / -, at most 12) then the year and the number
NUMBER = r"^[A-Za-z0-9/-]{1,40}$"
Number = Annotated[str, Path(min_length=1, max_length=40, pattern=NUMBER,
                             description="The legal number, e.g. SW2027-000001.")]


@router.get("", response_model=InvoiceList, responses=errors(422))
def list_invoices(who: Reader, ctx: Ctx, limit: Limit = 20,
                  starting_after: Annotated[str | None, Query(min_length=1, max_length=40,
                                                              pattern=NUMBER)] = None,
                  contract: Annotated[str | None, Query(max_length=100, pattern=ID_PATTERN)]
                  = None) -> dict[str, Any]:
    """The tenant's invoices, credit notes, fees and interest charges by issue day, then
    number."""
    return invoice_answers.page(ctx.uow(), who.tenant_id, who.tenant_name, contract=contract,
                                after=starting_after, limit=limit).to_json()


def _file(fmt: str) -> Any:
    def serve(number: Number, who: Reader, ctx: Ctx) -> Response:
        content = invoice_answers.file(ctx.uow(), who.tenant_name, number, fmt)
        return Response(content, media_type=invoice_answers.FORMATS[fmt])
    return serve


# before "/{number}": a number has no "." and the file routes must be tried first
for _fmt, _what in (("pdf", "The invoice as PDF (in the customer's language)."),
                    ("xml", "The invoice as UBL (Peppol BIS Billing 3.0), the PDF embedded.")):
    router.add_api_route(
        f"/{{number:path}}.{_fmt}", _file(_fmt), methods=["GET"], description=_what,
        name=f"get_invoice_{_fmt}", response_class=Response,
        responses={200: {"content": {invoice_answers.FORMATS[_fmt]: {
            "schema": {"type": "string", "format": "binary"}}}, "description": _what},
            **errors(404, 409)})


@router.get("/{number:path}", response_model=InvoiceOut, responses=errors(404))
def get_invoice(number: Number, who: Reader, ctx: Ctx) -> dict[str, Any]:
    return invoice_answers.invoice(ctx.uow(), who.tenant_id, who.tenant_name, number)
