"""The web console at `/console/`: server-rendered pages (Jinja2, htmx for the what-if) over
the same use cases as the API (`service.console_views`, `service.corrections`, ...).

Every page but the sign-in and the customer's link needs a session (cookie `termline_session`:
HttpOnly, SameSite=Lax, Secure when the request came over HTTPS); every form carries the
session's CSRF token; a viewer changes nothing, finance applies payments, voids events and
resumes contracts, admin manages users, keys and webhooks (every role sees the webhooks). A
user sees its own tenant only: another tenant's contract, document or webhook endpoint is a
404, like one that does not exist.
"""

from __future__ import annotations

import csv
import functools
import inspect
import io
import secrets
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from termline.adapters.files.calendar_export import calendar_bytes
from termline.app import console_auth as auth
from termline.app import console_views as views
from termline.app import console_webhooks as webhooks
from termline.app import corrections, customer_links, documents
from termline.app.keys import create_key, list_keys, revoke_key
from termline.app.webhook_endpoints import list_endpoints
from termline.domain.errors import InputError, TermlineError
from termline.entrypoints.console import charts, wording

HERE = Path(__file__).parent
COOKIE = "termline_session"
PRE_CSRF = "termline_signin_csrf"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["charts"] = charts
templates.env.filters["qs"] = lambda d: urlencode({k: v for k, v in d.items() if v})
router = APIRouter(prefix="/console", include_in_schema=False)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _ctx(request: Request) -> Any:
    return request.app.state.ctx


def _now(request: Request) -> datetime:
    now: datetime = _ctx(request).clock()
    return now


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or \
        request.headers.get("x-forwarded-proto", "").lower() == "https"


def _user(request: Request) -> auth.ConsoleUser | None:
    return auth.session_user(_ctx(request).uow(), request.cookies.get(COOKIE), _now(request))


def _page(request: Request, name: str, status: int = 200, **data: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, data, status_code=status)


def _signed_in(handler: Callable[..., Any]) -> Callable[..., Any]:
    """The page needs a session: without one, a GET goes to the sign-in form."""
    @functools.wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> Any:
        user = _user(request)
        if user is None:
            if request.method == "GET":
                return RedirectResponse("/console/signin", status_code=303)
            return _page(request, "error.html", 401, user=None, title="Signed out",
                         message="Your session has ended: sign in again.")
        try:
            if request.method == "POST":
                form = await request.form()
                if not auth.csrf_ok(user, _field(form, "csrf")):
                    raise _Refused(403, "This form has expired: reload the page and try again.")
                kwargs["form"] = form
            return await handler(request, user, *args, **kwargs)
        except _Refused as exc:
            return _page(request, "error.html", exc.status, user=user, title="Refused",
                         message=exc.message)
        except views.NotFound as exc:
            return _page(request, "error.html", 404, user=user, title="Not found",
                         message=str(exc))
        except InputError as exc:
            return _page(request, "error.html", 422, user=user, title="Not done",
                         message=str(exc))

    # FastAPI reads the route's parameters from the signature: the request and the path's,
    # never `user` and `form`, which this wrapper supplies
    sig = inspect.signature(handler)
    wrapped.__signature__ = sig.replace(parameters=[  # type: ignore[attr-defined]
        p for name, p in sig.parameters.items() if name not in ("user", "form")])
    return wrapped


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _need(user: auth.ConsoleUser, role: str) -> None:
    if not user.can(role):
        raise _Refused(403, f"Your role ({user.role}) cannot do this: it needs {role}.")


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}", field=name) from None


# --- sign-in -------------------------------------------------------------------------------

@router.get("/", response_model=None)
async def home(request: Request) -> Response:
    return RedirectResponse("/console/book" if _user(request) else "/console/signin",
                            status_code=303)


@router.get("/signin", response_model=None)
async def signin_form(request: Request) -> Response:
    token = secrets.token_urlsafe(32)
    response = _page(request, "signin.html", user=None, csrf=token, error=None)
    response.set_cookie(PRE_CSRF, token, httponly=True, samesite="lax",
                        secure=_secure(request), path="/console")
    return response


@router.post("/signin", response_model=None)
async def signin(request: Request) -> Response:
    form = await request.form()
    given, expected = _field(form, "csrf"), request.cookies.get(PRE_CSRF)
    if not given or not expected or not secrets.compare_digest(given, expected):
        return _page(request, "signin.html", 403, user=None, csrf=expected or "",
                     error="This form has expired: reload the page and try again.")
    address = request.client.host if request.client else "unknown"
    try:
        token, _ = auth.sign_in(_ctx(request).uow(), address, _field(form, "email") or "",
                                _field(form, "password") or "", _now(request))
    except auth.TooManyAttempts as exc:
        return _page(request, "signin.html", 429, user=None, csrf=expected, error=str(exc))
    except auth.SignInRefused as exc:
        return _page(request, "signin.html", 401, user=None, csrf=expected, error=str(exc))
    response = RedirectResponse("/console/book", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=_secure(request),
                        path="/console", max_age=int(auth.SESSION_LENGTH.total_seconds()))
    response.delete_cookie(PRE_CSRF, path="/console")
    return response


@router.post("/signout", response_model=None)
@_signed_in
async def signout(request: Request, user: auth.ConsoleUser, form: FormData) -> Response:
    auth.sign_out(_ctx(request).uow(), request.cookies.get(COOKIE) or "")
    response = RedirectResponse("/console/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


# --- the book ------------------------------------------------------------------------------

@router.get("/book", response_model=None)
@_signed_in
async def book_page(request: Request, user: auth.ConsoleUser) -> Response:
    data = views.book(_ctx(request).uow(), user.tenant, _now(request).date())
    return _page(request, "book.html", user=user, book=data, nav="book")


# --- contracts -----------------------------------------------------------------------------

@router.get("/contracts", response_model=None)
@_signed_in
async def contracts_page(request: Request, user: auth.ConsoleUser) -> Response:
    q = request.query_params
    filt = views.ContractFilter(ref=q.get("ref") or None, customer=q.get("customer") or None,
                                status=q.get("status") or None, pack=q.get("pack") or None)
    try:
        after = int(q.get("after") or 0)
    except ValueError:
        raise InputError("after is a number", field="after") from None
    data = views.contract_page(_ctx(request).uow(), user.tenant, filt, after)
    return _page(request, "contracts.html", user=user, page=data, filt=filt, nav="contracts",
                 statuses=("pending", "trial", "active", "terminated"))


@router.get("/contracts/{ref}", response_model=None)
@_signed_in
async def contract_page(request: Request, user: auth.ConsoleUser, ref: str) -> Response:
    data = views.contract(_ctx(request).uow(), user.tenant, ref)
    return _page(request, "contract.html", user=user, c=data, nav="contracts")


@router.post("/contracts/{ref}/whatif", response_model=None)
@_signed_in
async def what_if(request: Request, user: auth.ConsoleUser, ref: str, form: FormData
                  ) -> Response:
    raw = {k: _field(form, k) for k in ("type", "date", "amount", "by", "item", "quantity")}
    try:
        until = _day(_field(form, "until"), "until")
        event = views.hypothetical(raw, ref)
        if until is None or until < event.date:
            raise InputError("simulate until a day on or after the event", field="until")
        result = views.what_if(_ctx(request).uow(), user.tenant, ref, [event], until)
    except InputError as exc:
        return _page(request, "whatif.html", 422, error=str(exc), result=None)
    return _page(request, "whatif.html", error=None, result=result)


@router.post("/events/{event_id}/void", response_model=None)
@_signed_in
async def void(request: Request, user: auth.ConsoleUser, event_id: int, form: FormData
               ) -> Response:
    _need(user, "finance")
    corrections.void_event(_ctx(request).uow(), user.tenant, event_id,
                           _field(form, "reason") or "", _now(request))
    _ctx(request).wake()
    back = _field(form, "back") or ""
    target = f"/console/contracts/{back}" if back and back != "*" else "/console/queues"
    return RedirectResponse(target, status_code=303)


@router.post("/contracts/{ref}/resume", response_model=None)
@_signed_in
async def resume(request: Request, user: auth.ConsoleUser, ref: str, form: FormData
                 ) -> Response:
    _need(user, "finance")
    views.contract(_ctx(request).uow(), user.tenant, ref)  # 404 for another tenant's
    corrections.resume(_ctx(request).uow(), user.tenant, ref)
    _ctx(request).wake()
    return RedirectResponse(f"/console/contracts/{ref}", status_code=303)


# --- work queues ---------------------------------------------------------------------------

@router.get("/queues", response_model=None)
@_signed_in
async def queues_page(request: Request, user: auth.ConsoleUser) -> Response:
    data = views.queues(_ctx(request).uow(), user.tenant)
    return _page(request, "queues.html", user=user, q=data, nav="queues")


@router.post("/credits/assign", response_model=None)
@_signed_in
async def assign(request: Request, user: auth.ConsoleUser, form: FormData) -> Response:
    _need(user, "finance")
    done = views.assign_credit(_ctx(request).uow(), user.tenant, _field(form, "entry") or "",
                               _field(form, "number") or "")
    _ctx(request).wake()
    return RedirectResponse(f"/console/contracts/{done['contract']}", status_code=303)


@router.post("/deliveries/retry", response_model=None)
@_signed_in
async def retry(request: Request, user: auth.ConsoleUser, form: FormData) -> Response:
    _need(user, "finance")
    views.retry_delivery(_ctx(request).uow(), user.tenant, _field(form, "channel") or "",
                         _field(form, "msg_id") or "", _now(request))
    _ctx(request).wake()
    return RedirectResponse("/console/queues", status_code=303)


# --- invoices ------------------------------------------------------------------------------

def _invoice_filter(request: Request) -> views.InvoiceFilter:
    q = request.query_params
    return views.InvoiceFilter(first=_day(q.get("from"), "from"), last=_day(q.get("to"), "to"),
                               status=q.get("status") or None,
                               customer=q.get("customer") or None)


@router.get("/invoices", response_model=None)
@_signed_in
async def invoices_page(request: Request, user: auth.ConsoleUser) -> Response:
    filt = _invoice_filter(request)
    try:
        page = max(int(request.query_params.get("page") or 1), 1)
    except ValueError:
        raise InputError("page is a number", field="page") from None
    data = views.invoices(_ctx(request).uow(), user.tenant, filt, offset=(page - 1) * 50)
    query = {"from": request.query_params.get("from"), "to": request.query_params.get("to"),
             "status": filt.status, "customer": filt.customer}
    return _page(request, "invoices.html", user=user, inv=data, filt=filt, query=query,
                 page=page, nav="invoices")


@router.get("/invoices.csv", response_model=None)
@_signed_in
async def invoices_csv(request: Request, user: auth.ConsoleUser) -> Response:
    data = views.invoices(_ctx(request).uow(), user.tenant, _invoice_filter(request),
                          limit=None)
    buffer = io.StringIO()
    columns = ["number", "kind", "contract", "customer", "issued", "due", "total", "open",
               "currency", "status", "credit_note_for"]
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(data["rows"])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="invoices.csv"'})


@router.get("/documents/{number}", response_model=None)
@_signed_in
async def document_page(request: Request, user: auth.ConsoleUser, number: str) -> Response:
    data = views.document_summary(_ctx(request).uow(), user.tenant, number)
    return _page(request, "document.html", user=user, d=data, nav="invoices")


@router.get("/documents/{number}/pdf", response_model=None)
@_signed_in
async def document_pdf(request: Request, user: auth.ConsoleUser, number: str) -> Response:
    views.document_summary(_ctx(request).uow(), user.tenant, number)  # 404 first
    body = documents.pdf(_ctx(request).uow(), user.tenant, number)
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})


@router.get("/documents/{number}/ubl", response_model=None)
@_signed_in
async def document_ubl(request: Request, user: auth.ConsoleUser, number: str) -> Response:
    views.document_summary(_ctx(request).uow(), user.tenant, number)
    body = documents.ubl(_ctx(request).uow(), user.tenant, number)
    return Response(body, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{number}.xml"'})


# --- administration ------------------------------------------------------------------------

@router.get("/admin", response_model=None)
@_signed_in
async def admin_page(request: Request, user: auth.ConsoleUser) -> Response:
    return _admin(request, user, None)


def _admin(request: Request, user: auth.ConsoleUser, created: str | None) -> Response:
    _need(user, "admin")
    ctx = _ctx(request)
    return _page(request, "admin.html", user=user, nav="admin", created=created,
                 users=auth.users(ctx.uow(), user.tenant),
                 keys=list_keys(ctx.engine, user.tenant),
                 hooks=list_endpoints(ctx.engine, user.tenant), roles=auth.ROLES)


@router.post("/admin/users", response_model=None)
@_signed_in
async def admin_add_user(request: Request, user: auth.ConsoleUser, form: FormData
                         ) -> Response:
    _need(user, "admin")
    auth.add_user(_ctx(request).uow(), user.tenant, _field(form, "email") or "",
                  _field(form, "role") or "", _field(form, "password") or "", _now(request))
    return RedirectResponse("/console/admin", status_code=303)


@router.post("/admin/keys", response_model=None)
@_signed_in
async def admin_add_key(request: Request, user: auth.ConsoleUser, form: FormData
                        ) -> Response:
    _need(user, "admin")
    made = create_key(_ctx(request).engine, user.tenant, (_field(form, "scope") or "",),
                      _now(request))
    return _admin(request, user, made.key)  # the key is shown this once


@router.post("/admin/keys/revoke", response_model=None)
@_signed_in
async def admin_revoke_key(request: Request, user: auth.ConsoleUser, form: FormData
                           ) -> Response:
    _need(user, "admin")
    key_id = _field(form, "key") or ""
    if key_id not in {k["id"] for k in list_keys(_ctx(request).engine, user.tenant)}:
        raise views.NotFound(f"no key {key_id!r}")
    revoke_key(_ctx(request).engine, key_id, _now(request))
    return RedirectResponse("/console/admin", status_code=303)


# --- webhooks ------------------------------------------------------------------------------

@router.get("/webhooks", response_model=None)
@_signed_in
async def webhooks_page(request: Request, user: auth.ConsoleUser) -> Response:
    return _webhooks(request, user)


def _webhooks(request: Request, user: auth.ConsoleUser, created: tuple[str, str] | None = None
              ) -> Response:
    return _page(request, "webhooks.html", user=user, nav="webhooks", created=created,
                 hooks=webhooks.endpoints(_ctx(request).engine, user.tenant))


@router.post("/webhooks", response_model=None)
@_signed_in
async def webhooks_add(request: Request, user: auth.ConsoleUser, form: FormData) -> Response:
    _need(user, "admin")
    made = webhooks.add(_ctx(request).engine, user.tenant, _field(form, "url") or "",
                        _field(form, "events") or "*", _now(request), _ctx(request).outbound)
    return _webhooks(request, user, made)  # the signing secret is shown this once


@router.post("/webhooks/{endpoint_id}/{change}", response_model=None)
@_signed_in
async def webhooks_change(request: Request, user: auth.ConsoleUser, endpoint_id: str,
                          change: str, form: FormData) -> Response:
    _need(user, "admin")
    engine = _ctx(request).engine
    if change in ("disable", "enable"):
        webhooks.set_enabled(engine, user.tenant, endpoint_id, change == "enable",
                             _now(request))
    elif change == "delete":
        webhooks.remove(engine, user.tenant, endpoint_id)
    else:
        raise views.NotFound(f"no change {change!r}")
    return RedirectResponse("/console/webhooks", status_code=303)


@router.post("/webhooks-retry", response_model=None)
@_signed_in
async def webhooks_retry(request: Request, user: auth.ConsoleUser, form: FormData
                         ) -> Response:
    _need(user, "admin")
    views.retry_delivery(_ctx(request).uow(), user.tenant, "webhook",
                         _field(form, "msg_id") or "", _now(request))
    _ctx(request).wake()
    return RedirectResponse("/console/webhooks", status_code=303)


# --- the customer's page (signed link, read-only, no session) ------------------------------

def _grant(request: Request, token: str) -> customer_links.CustomerGrant:
    return customer_links.verify(_ctx(request).uow(), token, _now(request))


def _customer_refused(request: Request, exc: TermlineError, status: int) -> HTMLResponse:
    return _page(request, "error.html", status, user=None, title="Link not valid",
                 message=str(exc))


@router.get("/c/{token}", response_model=None)
async def customer_page(request: Request, token: str) -> Response:
    try:
        grant = _grant(request, token)
        data = views.customer_page(_ctx(request).uow(), grant.tenant_id, grant.customer_id)
    except customer_links.BadLink as exc:
        return _customer_refused(request, exc, 403)
    except views.NotFound as exc:
        return _customer_refused(request, exc, 404)
    return _page(request, "customer.html", user=None, p=data, token=token,
                 t=wording.labels(data["language"]),
                 lang=wording.language_of(data["language"]),
                 expires=grant.expires.date().isoformat())


@router.get("/c/{token}/deadlines.ics", response_model=None)
async def customer_ics(request: Request, token: str) -> Response:
    try:
        grant = _grant(request, token)
        data = views.customer_page(_ctx(request).uow(), grant.tenant_id, grant.customer_id)
    except (customer_links.BadLink, views.NotFound) as exc:
        return _customer_refused(request, exc, 403)
    body = calendar_bytes(views.customer_deadline_rows(data), _now(request).date())
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="deadlines.ics"'})


@router.get("/c/{token}/documents/{number}/{fmt}", response_model=None)
async def customer_file(request: Request, token: str, number: str, fmt: str) -> Response:
    if fmt not in ("pdf", "ubl"):
        return Response(status_code=404)
    try:
        grant = _grant(request, token)
        tenant, _ = views.customer_document(_ctx(request).uow(), grant.tenant_id,
                                            grant.customer_id, number)
    except (customer_links.BadLink, views.NotFound) as exc:
        return _customer_refused(request, exc, 403)
    if fmt == "pdf":
        return Response(documents.pdf(_ctx(request).uow(), tenant, number),
                        media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})
    return Response(documents.ubl(_ctx(request).uow(), tenant, number),
                    media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{number}.xml"'})


def install(app: FastAPI) -> None:
    """Serve the console beside the API (same process, same store, same context)."""
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=str(HERE / "static")),
              name="console-static")
