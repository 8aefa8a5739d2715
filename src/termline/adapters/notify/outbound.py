"""Outbound requests go only to public addresses.

`check_url` is the one gate for every URL termline calls (a webhook endpoint when it is
created, and again before every delivery attempt): the host is resolved, and every address it
resolves to must be public (no loopback, private, link-local, unique-local, multicast,
reserved, unspecified or shared address space, also when embedded in IPv6: mapped, NAT64,
6to4). The caller connects to the address checked here, never to a second resolution, so a
DNS answer that changes between the check and the connection (rebinding) cannot reach an
internal address. `https` only; plain `http` (and a non-public address) only for the
`host:port` pairs the operator names in TERMLINE_WEBHOOK_ALLOW (development, tests).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from termline.domain.errors import TermlineError

MAX_URL = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
ALLOW_ENV = "TERMLINE_WEBHOOK_ALLOW"

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not reachable publicly
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


class RefusedURL(TermlineError):
    """A URL termline will not call, with the reason; `permanent` unless it depends on what
    the host resolves to (which may change)."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Allow:
    """The operator's `host:port` pairs that may be called over http and at any address."""
    pairs: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> Allow:
        pairs = set()
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            host, sep, port = item.rpartition(":")
            if not sep or not port.isdigit() or not host:
                raise TermlineError(f"{ALLOW_ENV}: {item!r} is not host:port")
            pairs.add((host.strip("[]").lower(), int(port)))
        return cls(frozenset(pairs))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Allow:
        return cls.parse(environ.get(ALLOW_ENV))

    def allows(self, host: str, port: int) -> bool:
        return (host, port) in self.pairs


@dataclass(frozen=True)
class Target:
    """A checked URL: what to send (`url`, normalised) and where to connect (`address`)."""
    url: str
    scheme: str
    host: str  # normalised (lower case, IDNA)
    port: int
    address: str  # the resolved and checked IP address

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        address = f"[{self.address}]" if ":" in self.address else self.address
        return urlunsplit((parts.scheme, f"{address}:{self.port}", parts.path or "/",
                           parts.query, ""))


def system_resolver(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedURL(f"the host {host!r} does not resolve", permanent=False) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def not_public(address: IPAddress) -> str | None:
    """Why an address may not be called, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address in _SIXTOFOUR:
            embedded = address.sixtofour
        if embedded is not None:
            return not_public(embedded)
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "site_local",
                 "private"):
        if getattr(address, f"is_{name}", False):
            return name.replace("_", "-")
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared (carrier-grade NAT)"
    if not address.is_global:
        return "not global"
    return None


NOTHING_ALLOWED = Allow()


def check_url(url: str, allow: Allow = NOTHING_ALLOWED,
              resolve: Resolver = system_resolver) -> Target:
    """The URL normalised with the one address to connect to; RefusedURL says why not."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise RefusedURL(f"a URL of 1 to {MAX_URL} characters is required")
    if _UNSAFE.search(url):
        raise RefusedURL("the URL holds a space, a backslash or a control character "
                         "(CR, LF, NUL...)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedURL("the URL does not parse (host or port)") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedURL("only https URLs are called")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("the URL may not carry credentials")
    raw = parts.hostname or ""
    if not raw:
        raise RefusedURL("the URL has no host")
    try:
        host = raw.encode("idna").decode("ascii").lower() if not _is_ip(raw) else raw.lower()
    except UnicodeError:
        raise RefusedURL(f"the host {raw!r} is not a valid name") from None
    port = port if port is not None else (443 if scheme == "https" else 80)
    if port == 0:
        raise RefusedURL("port 0 cannot be called")
    allowed = allow.allows(host, port)
    if scheme == "http" and not allowed:
        raise RefusedURL("plain http is refused; use https (the operator may allow http for "
                         f"a host with {ALLOW_ENV})")
    addresses = [host] if _is_ip(host) else resolve(host, port)
    if not addresses:
        raise RefusedURL(f"the host {host!r} does not resolve", permanent=False)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        reason = not_public(address)
        if reason is not None and not allowed:
            what = f"{address} is" if _is_ip(host) else f"{host} resolves to {address},"
            raise RefusedURL(f"{what} a {reason} address: only public addresses are called",
                             permanent=_is_ip(host))
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{port}"
    normal = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(normal, scheme, host, port, addresses[0].split("%", 1)[0])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
