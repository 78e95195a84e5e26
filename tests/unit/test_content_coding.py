"""Accept-Encoding negotiation (modelreg.domain.content_coding)."""

from __future__ import annotations

import pytest

from modelreg.domain.content_coding import negotiate

BOTH = ["br", "gzip"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),  # a browser: the server's preference wins a tie
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"),  # the client's weights come first
        ("BR", "br"),
        ("*", "br"),
        ("*;q=0, gzip", "gzip"),
        ("gzip;q=0, *", "br"),
        ("identity", None),
        ("", None),
        ("gzip;q=0", None),
        ("gzip;q=abc", None),  # a malformed weight accepts nothing
        ("gzip;q=2", None),
        (" , ;q=1, gzip ; q=0.3", "gzip"),
    ],
)
def test_negotiate(header: str, expected: str | None) -> None:
    assert negotiate(header, BOTH) == expected


def test_only_offered_codings_are_chosen() -> None:
    assert negotiate("br, gzip", ["gzip"]) == "gzip"
    assert negotiate("br", ["gzip"]) is None
    assert negotiate("br, gzip", []) is None
