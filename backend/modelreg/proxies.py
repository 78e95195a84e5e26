"""Which forwarded headers to believe: only those a trusted reverse proxy sent.

A reverse proxy tells the server who the client is (`X-Forwarded-For`), which scheme it used
(`X-Forwarded-Proto`) and which host it asked for (`X-Forwarded-Host`). Anyone can send those
headers, so they count only when the request's immediate peer is one of the proxies named in the
`trusted_proxies` setting (IP addresses and CIDR networks; empty trusts none). Pure: no I/O.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def parse_networks(value: str) -> tuple[Network, ...]:
    """`10.0.0.1, 192.168.0.0/16, ::1` as networks; ValueError naming an entry that is none."""
    networks = []
    for entry in value.split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"'{entry}' is not an IP address or network; list the reverse proxies' "
                "addresses or CIDR networks, separated by commas (e.g. 10.0.0.5,172.16.0.0/12)"
            ) from None
    return tuple(networks)


def _host(entry: str) -> str:
    """An `X-Forwarded-For` entry without the port some proxies add (`1.2.3.4:5678`,
    `[2001:db8::1]:443`), so each port does not count as another client."""
    entry = entry.strip()
    if entry.startswith("["):
        return entry[1:].partition("]")[0]
    if entry.count(":") == 1:
        return entry.partition(":")[0]
    return entry


def is_trusted(host: str | None, networks: Sequence[Network]) -> bool:
    """Whether `host` (an IP address, as a peer or an `X-Forwarded-For` entry) is a proxy."""
    if not host or not networks:
        return False
    try:
        address = ipaddress.ip_address(_host(host))
    except ValueError:
        return False  # a Unix socket, a name, garbage: never a trusted proxy
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


@dataclass(frozen=True, slots=True)
class Forwarded:
    """Where a request came from, as far as it can be believed."""

    client: str  # the client's address (the peer's, unless a trusted proxy names another)
    scheme: str  # `http`/`https` (`ws`/`wss` for websockets) the client used
    host: str | None  # the host the client asked a trusted proxy for; None when not forwarded


def _last(values: Sequence[str]) -> str | None:
    """The last entry of a possibly repeated, comma-separated header: the one the immediate
    (trusted) proxy wrote; anything before it may come from the client."""
    entries = [e.strip() for v in values for e in v.split(",") if e.strip()]
    return entries[-1] if entries else None


def _client(forwarded_for: Sequence[str], networks: Sequence[Network]) -> str | None:
    """The nearest `X-Forwarded-For` entry that is not itself a trusted proxy (each proxy appends
    the address it saw, so entries left of that one are the client's word only)."""
    entries = [_host(e) for v in forwarded_for for e in v.split(",") if e.strip()]
    for entry in reversed(entries):
        if not is_trusted(entry, networks):
            return entry
    return entries[0] if entries else None


def resolve(
    *,
    peer: str | None,
    scheme: str,
    forwarded_for: Sequence[str],
    forwarded_proto: Sequence[str],
    forwarded_host: Sequence[str],
    networks: Sequence[Network],
) -> Forwarded:
    """What a request's forwarded headers say, if its peer is a trusted proxy; else the peer."""
    own = Forwarded(client=peer or "unknown", scheme=scheme, host=None)
    if not is_trusted(peer, networks):
        return own
    client = _client(forwarded_for, networks) or own.client
    proto = (_last(forwarded_proto) or "").lower()
    if proto in ("http", "https", "ws", "wss"):
        secure = proto in ("https", "wss")
        if scheme in ("ws", "wss"):
            scheme = "wss" if secure else "ws"
        else:
            scheme = "https" if secure else "http"
    return Forwarded(client=client, scheme=scheme, host=_last(forwarded_host))
