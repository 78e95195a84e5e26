"""One HTTP attempt of a webhook delivery, guarded against server-side request forgery.

The request goes through an `httpcore` connection pool (the engine under httpx) whose network
backend is `GuardedBackend`: when the pool opens a connection it resolves the host itself
(`loop.getaddrinfo`), refuses the connection if *any* resolved address is loopback, private,
link-local (cloud metadata), or otherwise not global (`domain.webhooks.address_refusal`, unless
the operator allows private addresses), and connects to an address it has just checked. The
check and the connection therefore use the same answer: DNS rebinding cannot swap the address
in between. Everything above the socket is untouched: the URL keeps its host name, so the Host
header, TLS SNI and the certificate check are for that name, and the pool keys its kept-alive
connections by it.

Redirects are never followed (a 3xx is a failed attempt that says so); the whole attempt,
name resolution included, has one deadline.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpcore

from modelreg import __version__
from modelreg.db.types import utcnow
from modelreg.domain.webhooks import address_refusal, delivery_headers, parse_url
from modelreg.errors import InvalidArgument
from modelreg.services.webhook_delivery import EXCERPT_BYTES, Claimed, Outcome

USER_AGENT = f"modelreg-webhooks/{__version__}"

# host, port -> the addresses it resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(Exception):
    """The host resolves to an address a webhook may not reach."""


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order, without duplicates."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise httpcore.ConnectError(f"cannot resolve {host}: {error.strerror}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses that pass the SSRF check (module docstring)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = resolve) -> None:
        self._allow_private = allow_private
        self._resolve = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            refusal = address_refusal(address, allow_private=self._allow_private)
            if refusal is not None:
                raise AddressRefused(
                    f"Refused to connect: {host} resolves to {refusal}. Webhooks may only reach "
                    "public addresses unless MODELREG_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set."
                )
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("Webhooks do not connect to local sockets.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """A `Retry-After` header: seconds, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=min(int(text), 10**7))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def _describe(status: int, location: str | None) -> str:
    if 300 <= status <= 399:
        where = f" to {location[:200]}" if location else ""
        return (
            f"The receiver answered HTTP {status} (a redirect{where}); redirects are not "
            "followed. Point the webhook at the final URL."
        )
    if 200 <= status <= 299:
        return ""
    return f"The receiver answered HTTP {status}."


class WebhookSender:
    """Sends attempts over one pool of kept-alive connections; `close()` when done."""

    def __init__(
        self,
        *,
        timeout_seconds: float,
        allow_private: bool,
        max_connections: int = 10,
        resolver: Resolver = resolve,
    ) -> None:
        self._timeout = timeout_seconds
        self._pool = httpcore.AsyncConnectionPool(
            max_connections=max(1, max_connections),
            network_backend=GuardedBackend(allow_private=allow_private, resolver=resolver),
        )

    async def close(self) -> None:
        await self._pool.aclose()

    async def send(self, claimed: Claimed) -> Outcome:
        """POST the delivery's body once; never raises for what the receiver or network does."""
        started = utcnow()
        clock = time.perf_counter()

        def took() -> int:
            return int((time.perf_counter() - clock) * 1000)

        try:
            target = parse_url(claimed.url)
        except InvalidArgument as error:
            return Outcome(started_at=started, duration_ms=0, error=error.message, final=True)
        body = claimed.body.encode()
        headers = delivery_headers(
            claimed.secrets, message_id=claimed.message_id, timestamp=int(time.time()), body=body
        )
        headers["user-agent"] = USER_AGENT
        try:
            async with asyncio.timeout(self._timeout):
                async with self._pool.stream(
                    "POST",
                    target.url,
                    headers=list(headers.items()),
                    content=body,
                    extensions={"timeout": {"connect": self._timeout, "read": self._timeout}},
                ) as response:
                    excerpt = await _excerpt(response)
        except AddressRefused as error:
            return Outcome(started_at=started, duration_ms=took(), error=str(error), final=True)
        except TimeoutError:
            error_text = f"No answer within {self._timeout:g} s."
            return Outcome(started_at=started, duration_ms=took(), error=error_text)
        except httpcore.TimeoutException:
            error_text = f"No answer within {self._timeout:g} s."
            return Outcome(started_at=started, duration_ms=took(), error=error_text)
        except httpcore.ConnectError as error:
            text = str(error) or type(error).__name__
            error_text = f"Could not connect to {target.host}:{target.port}: {text}"[:500]
            return Outcome(started_at=started, duration_ms=took(), error=error_text)
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as e:
            text = str(e) or type(e).__name__
            error_text = f"The connection to {target.host} failed: {text}"[:500]
            return Outcome(started_at=started, duration_ms=took(), error=error_text)
        status = response.status
        found = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
        return Outcome(
            started_at=started,
            duration_ms=took(),
            status_code=status,
            error=_describe(status, found.get("location")),
            excerpt=excerpt,
            retry_after=retry_after(found.get("retry-after"), now=utcnow()),
        )


async def _excerpt(response: httpcore.Response) -> str:
    """The first 1 KiB of the body as text (a larger body is not read further)."""
    taken = b""
    async for chunk in response.aiter_stream():
        taken += chunk
        if len(taken) >= EXCERPT_BYTES:
            break
    return taken[:EXCERPT_BYTES].decode("utf-8", errors="replace")
