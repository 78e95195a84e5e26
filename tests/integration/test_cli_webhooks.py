"""`modelreg webhooks ...` against a real server process on loopback (GraphQL with a token)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from modelreg.cli import main
from tests.support.server import cli_token, running_server

HOOK_URL = "https://hooks.example.com/modelreg"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp_path = tmp_path_factory.mktemp("server")
    with running_server(tmp_path) as base:
        yield base, cli_token(tmp_path)


def _graphql(server: tuple[str, str], query: str, **variables: Any) -> dict[str, Any]:
    base, token = server
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _cli(server: tuple[str, str], *args: str, token: bool = True, stdin: str = "") -> Result:
    base, secret = server
    env = {"MODELREG_TOKEN": secret if token else ""}
    return CliRunner().invoke(main, ["webhooks", *args, "--url", base], env=env, input=stdin)


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def registry(server: tuple[str, str]) -> None:
    project = _graphql(
        server, 'mutation { createProject(input: {path: "demo"}) { project { id } } }'
    )["createProject"]["project"]["id"]
    model = _graphql(
        server,
        'mutation($p: ID!) { createModel(input: {projectId: $p, name: "churn"}) { model { id } } }',
        p=project,
    )["createModel"]["model"]["id"]
    _graphql(
        server,
        'mutation($m: ID!) { createVersion(input: {modelId: $m, version: "1.0.0"}) '
        "{ modelVersion { id } } }",
        m=model,
    )


def test_webhook_lifecycle_from_the_command_line(server: tuple[str, str], registry: None) -> None:
    created = CliRunner().invoke(
        main,
        ["webhooks", "create", "--project", "demo", "--webhook-url", HOOK_URL,
         "--event", "version.*", "--event", "model.alias_set", "--model", "churn",
         "--description", "deploys", "--url", server[0]],
        env={"MODELREG_TOKEN": server[1]},
    )  # fmt: skip
    out = _ok(created)
    secret = re.search(r"^secret: (whsec_\S+)$", out, re.MULTILINE)
    assert secret is not None, out
    assert "only time the secret is shown" in out
    hook_id = out.split()[0]
    assert "events: version.*, model.alias_set" in out and "model: churn" in out

    listed = _ok(_cli(server, "list", "--project", "demo"))
    assert hook_id in listed and "ACTIVE" in listed and "never" in listed
    assert secret.group(1) not in listed

    updated = _ok(_cli(server, "update", hook_id, "--status", "test_mode", "--all-models"))
    assert "TEST_MODE" in updated and "model: every model" in updated

    queued = _ok(_cli(server, "test", hook_id))
    delivery_id = queued.split()[-1].rstrip(".")
    log = _ok(_cli(server, "deliveries", hook_id))
    assert delivery_id in log and "webhook.test" in log

    redone = _ok(_cli(server, "redeliver", delivery_id))
    assert "Queued delivery" in redone and "(webhook.test)" in redone

    replayed = _ok(_cli(server, "replay", hook_id, "--from", "1"))
    assert "Queued 1 deliveries." in replayed  # the version.created of 1.0.0
    log = _ok(_cli(server, "deliveries", hook_id, "--first", "10"))
    assert "version.created" in log and log.count("webhook.test") == 2

    rotated = _ok(_cli(server, "rotate-secret", hook_id, "--overlap-hours", "1"))
    new_secret = re.search(r"^secret: (whsec_\S+)$", rotated, re.MULTILINE)
    assert new_secret is not None and new_secret.group(1) != secret.group(1)

    aborted = _cli(server, "delete", hook_id, stdin="n\n")
    assert aborted.exit_code == 1
    assert hook_id in _ok(_cli(server, "list", "--project", "demo"))
    assert "Deleted webhook" in _ok(_cli(server, "delete", hook_id, "--yes"))
    assert "has no webhooks" in _ok(_cli(server, "list", "--project", "demo"))


def test_errors_are_one_line_with_the_field(server: tuple[str, str], registry: None) -> None:
    result = _cli(
        server, "create", "--project", "demo", "--webhook-url", HOOK_URL, "--event", "versoin.*"
    )
    assert result.exit_code == 1
    assert "matches no event type" in result.output and "(events)" in result.output
    assert "Traceback" not in result.output

    insecure = _cli(
        server, "create", "--project", "demo", "--webhook-url", "http://hooks.example.com/",
        "--event", "*",
    )  # fmt: skip
    assert "warning: an http:// URL sends events unencrypted" in _ok(insecure)

    missing = _cli(server, "list", "--project", "nope")
    assert missing.exit_code == 1 and "No project has the path 'nope'" in missing.output

    anonymous = _cli(server, "test", "V2ViaG9vazox", token=False)
    assert anonymous.exit_code == 1
    assert "Sign in" in anonymous.output or "No webhook" in anonymous.output
