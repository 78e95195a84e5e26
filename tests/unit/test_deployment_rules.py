"""What a serving process may report (domain/deployments.py): accepted shapes, and each refusal
naming its field."""

from __future__ import annotations

import pytest

from modelreg.domain.deployments import check_endpoint, check_report
from modelreg.errors import InvalidArgument

INSTANCE = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:5001",
        "https://models.example.com/serving/fraud",
        "http://[::1]:5001",
        "http://0.0.0.0:5001",
        "HTTP://Host:80",
    ],
)
def test_http_and_https_urls_with_a_host_are_accepted(endpoint: str) -> None:
    assert check_endpoint(f"  {endpoint} ") == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http:/host",
        "mailto:a@b.c",
        "http://[::1",
        "http://host:0",
        "http://host:abc",
        "http://ho st:1",
        "file:///etc/passwd",
    ],
)
def test_other_urls_are_refused_on_the_endpoint(endpoint: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_endpoint(endpoint)
    assert refused.value.field == "endpoint"
    assert endpoint not in refused.value.message  # a refusal never echoes what may be a secret


def test_a_report_is_trimmed_and_keeps_an_absent_role() -> None:
    report = check_report(
        endpoint=" http://h:1 ", reference=" fraud/detector@champion ", instance=INSTANCE, role=None
    )
    assert (report.endpoint, report.reference, report.role) == (
        "http://h:1",
        "fraud/detector@champion",
        None,
    )


def test_the_first_bad_field_is_named() -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_report(endpoint="http://h:1", reference="r", instance=INSTANCE, role="x\ty")
    assert refused.value.field == "role"
    with pytest.raises(InvalidArgument) as refused:
        check_report(endpoint="http://h:1", reference="r", instance=INSTANCE.upper(), role=None)
    assert refused.value.field == "instance"
