"""Content-coding negotiation: which of the codings the server can send a client accepts.

Pure functions over the `Accept-Encoding` header (RFC 9110, section 12.5.3), shared by the web
app's precompressed assets (`spa.py`) and the compression of API responses
(`http/compression.py`).
"""

from __future__ import annotations

from collections.abc import Sequence


def _weights(header: str) -> dict[str, float]:
    """Each coding named in the header (lower case, `*` included) with its q-value."""
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.partition(";")
        coding = name.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0  # a malformed weight accepts nothing
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        weights[coding] = max(q, weights.get(coding, q))
    return weights


def negotiate(accept_encoding: str, offered: Sequence[str]) -> str | None:
    """The coding to send: of `offered` (in the server's order of preference), the one the
    client weighs highest, ties going to the server's order; None when it accepts none of
    them (send the identity). A coding not named is accepted only through `*`."""
    weights = _weights(accept_encoding)
    best: str | None = None
    best_q = 0.0
    for coding in offered:
        q = weights.get(coding, weights.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best
