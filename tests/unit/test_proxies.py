"""Unit tests for modelreg.proxies: which forwarded headers count, and MODELREG_TRUSTED_PROXIES."""

from __future__ import annotations

from typing import Any

import pytest

from modelreg.proxies import Forwarded, is_trusted, parse_networks, resolve
from modelreg.settings import SettingsError, load_settings

NETWORKS = parse_networks("10.0.0.0/8, 192.168.1.5, fd00::/8")


def test_parse_networks_reads_addresses_and_cidr_networks() -> None:
    assert [str(n) for n in NETWORKS] == ["10.0.0.0/8", "192.168.1.5/32", "fd00::/8"]
    assert parse_networks("") == parse_networks(" , ") == ()
    assert [str(n) for n in parse_networks("10.1.2.3/8")] == ["10.0.0.0/8"]


@pytest.mark.parametrize("bad", ["proxy.internal", "10.0.0.0/33", "*", "10.0.0.1;10.0.0.2"])
def test_a_bad_trusted_proxies_setting_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ={"MODELREG_TRUSTED_PROXIES": f"10.0.0.1, {bad}"})
    message = str(error.value)
    assert message.startswith("Invalid setting MODELREG_TRUSTED_PROXIES: ")
    assert f"'{bad}' is not an IP address or network" in message


def test_the_setting_defaults_to_trusting_no_one() -> None:
    assert load_settings(environ={}).trusted_proxies == ""
    assert load_settings(environ={"MODELREG_TRUSTED_PROXIES": " ::1 "}).trusted_proxies == "::1"


@pytest.mark.parametrize(
    ("host", "trusted"),
    [
        ("10.200.0.1", True),
        ("192.168.1.5", True),
        ("192.168.1.6", False),
        ("::ffff:10.0.0.9", True),  # an IPv4 peer on a dual-stack socket
        ("fd12::1", True),
        ("[fd12::1]:443", True),
        ("10.0.0.1:8080", True),
        ("2001:db8::1", False),
        ("unix:/run/modelreg.sock", False),
        ("", False),
        (None, False),
    ],
)
def test_is_trusted(host: str | None, trusted: bool) -> None:
    assert is_trusted(host, NETWORKS) is trusted


def test_nothing_is_trusted_without_networks() -> None:
    assert not is_trusted("127.0.0.1", ())


def _resolve(peer: str | None, scheme: str = "http", **headers: list[str]) -> Forwarded:
    values: dict[str, Any] = {"forwarded_for": [], "forwarded_proto": [], "forwarded_host": []}
    values.update(headers)
    return resolve(peer=peer, scheme=scheme, networks=NETWORKS, **values)


def test_an_untrusted_peer_is_taken_at_its_word_about_nothing() -> None:
    assert _resolve(
        "198.51.100.7",
        forwarded_for=["1.2.3.4"],
        forwarded_proto=["https"],
        forwarded_host=["registry.example.com"],
    ) == Forwarded(client="198.51.100.7", scheme="http", host=None)
    assert _resolve(None) == Forwarded(client="unknown", scheme="http", host=None)


def test_a_trusted_proxy_names_the_client_scheme_and_host() -> None:
    assert _resolve(
        "10.0.0.2",
        forwarded_for=["198.51.100.7"],
        forwarded_proto=["https"],
        forwarded_host=["registry.example.com"],
    ) == Forwarded(client="198.51.100.7", scheme="https", host="registry.example.com")
    # Without forwarded headers, a proxy's own request is its own.
    assert _resolve("10.0.0.2") == Forwarded(client="10.0.0.2", scheme="http", host=None)


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        (["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # the client's own claim comes first
        (["198.51.100.7, 10.0.0.3"], "198.51.100.7"),  # two trusted proxies
        (["6.6.6.6", "198.51.100.7"], "198.51.100.7"),  # the header repeated
        (["198.51.100.7:5555"], "198.51.100.7"),
        (["[2001:db8::7]:5555"], "2001:db8::7"),
        (["10.0.0.4, 10.0.0.3"], "10.0.0.4"),  # all proxies: the farthest one
        ([" , "], "10.0.0.2"),
    ],
)
def test_the_client_is_the_nearest_address_that_is_not_a_proxy(
    forwarded_for: list[str], client: str
) -> None:
    assert _resolve("10.0.0.2", forwarded_for=forwarded_for).client == client


def test_the_proxy_writes_the_last_proto_and_host() -> None:
    found = _resolve(
        "10.0.0.2",
        forwarded_proto=["https, http"],
        forwarded_host=["evil.example", "registry.example.com"],
    )
    assert (found.scheme, found.host) == ("http", "registry.example.com")
    assert _resolve("10.0.0.2", forwarded_proto=["gopher"]).scheme == "http"


def test_a_websocket_keeps_a_websocket_scheme() -> None:
    assert _resolve("10.0.0.2", "ws", forwarded_proto=["https"]).scheme == "wss"
    assert _resolve("10.0.0.2", "wss", forwarded_proto=["http"]).scheme == "ws"
    assert _resolve("198.51.100.7", "ws", forwarded_proto=["https"]).scheme == "ws"
