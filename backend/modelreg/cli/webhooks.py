"""`modelreg webhooks`: manage a project's webhooks through a running server (GraphQL over
HTTP with a token, through modelreg.client), as a MAINTAINER of the project.

Webhooks and deliveries are named by the IDs `list` and `deliveries` print. A new secret
(`create`, `rotate-secret`) is printed once, on its own line, for the receiver's configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from modelreg.cli.output import _table
from modelreg.cli.remote import _client, _token, _url

if TYPE_CHECKING:
    from modelreg.client import RegistryClient

_ERRORS = "errors { code field message }"
_WEBHOOK = "id url description events status secretHint modelFilter model { name }"

_PROJECT = """query($path: String!) { project(path: $path) { id } }"""
_MODEL = """query($path: String!, $name: String!) { project(path: $path) { model(name: $name)
  { id } } }"""
_LIST = f"""query($path: String!) {{ project(path: $path) {{
  webhooks {{ {_WEBHOOK} lastDelivery {{ status lastStatusCode createdAt }} }} }} }}"""
_DELIVERIES = """query($id: ID!, $first: Int, $status: WebhookDeliveryStatus) {
  node(id: $id) { ... on Webhook { deliveries(first: $first, status: $status) { edges { node {
    id eventId topic status attemptCount lastStatusCode lastError createdAt
    attempts { attempt statusCode durationMs error }
  } } } } } }"""
_MUTATIONS = {
    "createWebhook": ("CreateWebhookInput", f"webhook {{ {_WEBHOOK} }} secret"),
    "updateWebhook": ("UpdateWebhookInput", f"webhook {{ {_WEBHOOK} }}"),
    "deleteWebhook": ("WebhookIdInput", "deletedId"),
    "rotateWebhookSecret": ("RotateWebhookSecretInput", f"webhook {{ {_WEBHOOK} }} secret"),
    "sendTestWebhook": ("WebhookIdInput", "delivery { id topic status }"),
    "redeliverWebhookDelivery": (
        "RedeliverWebhookDeliveryInput",
        "delivery { id eventId topic status }",
    ),
    "replayEvents": ("ReplayEventsInput", "count lastEventId complete"),
}
_STATUSES = ("ACTIVE", "TEST_MODE", "DISABLED")
_SECRET_WARNING = (
    "This is the only time the secret is shown: configure the receiver with it now "
    "(it verifies the webhook-signature header)."
)

_project = click.option("--project", required=True, help="Project path, like fraud-detection.")
_status = click.option(
    "--status",
    type=click.Choice(_STATUSES, case_sensitive=False),
    default=None,
    help="ACTIVE: every matching event. TEST_MODE: only test events. DISABLED: nothing.",
)


def _call(client: RegistryClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    from modelreg.client import ClientError

    try:
        return client.graphql(query, variables)
    except ClientError as exc:
        raise click.ClickException(exc.message) from None


def _mutate(client: RegistryClient, name: str, values: dict[str, Any]) -> dict[str, Any]:
    input_type, fields = _MUTATIONS[name]
    query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {fields} {_ERRORS} }} }}"
    payload: dict[str, Any] = _call(client, query, {"input": values})[name]
    errors = payload.get("errors") or []
    if errors:
        lines = [f"{e['message']}" + (f" ({e['field']})" if e.get("field") else "") for e in errors]
        raise click.ClickException("; ".join(lines))
    return payload


def _project_id(client: RegistryClient, path: str) -> str:
    found = _call(client, _PROJECT, {"path": path})["project"]
    if found is None:
        raise click.ClickException(
            f"No project has the path '{path}' (or your token may not read it)."
        )
    return str(found["id"])


def _model_id(client: RegistryClient, project: str, name: str) -> str:
    found = _call(client, _MODEL, {"path": project, "name": name})["project"]
    if found is None or found["model"] is None:
        raise click.ClickException(f"Project '{project}' has no model called '{name}'.")
    return str(found["model"]["id"])


def _describe(hook: dict[str, Any]) -> str:
    model = hook["model"]["name"] if hook.get("model") else None
    if hook.get("modelFilter") and model is None:
        model = "(deleted model)"
    return (
        f"{hook['id']}  {hook['status']}  {hook['url']}\n"
        f"  events: {', '.join(hook['events'])}\n"
        f"  model: {model or 'every model'}  secret: {hook['secretHint']}"
        + (f"\n  {hook['description']}" if hook.get("description") else "")
    )


def _warn_http(url: str | None) -> None:
    if url and url.strip().lower().startswith("http://"):
        click.echo("warning: an http:// URL sends events unencrypted; prefer https://.", err=True)


@click.group()
def webhooks() -> None:
    """Manage a project's webhooks through a running server (MAINTAINERs of the project)."""


@webhooks.command("list")
@_project
@_url
@_token
def webhooks_list(project: str, url: str, token: str | None) -> None:
    """List the project's webhooks with their last delivery."""
    with _client(url, token) as client:
        found = _call(client, _LIST, {"path": project})["project"]
    if found is None:
        raise click.ClickException(f"No project has the path '{project}'.")
    hooks = found["webhooks"] or []
    if not hooks:
        click.echo(f"Project '{project}' has no webhooks.")
        return
    rows = []
    for hook in hooks:
        last = hook.get("lastDelivery")
        outcome = "never" if last is None else last["status"]
        if last is not None and last.get("lastStatusCode") is not None:
            outcome += f" ({last['lastStatusCode']})"
        rows.append([hook["id"], hook["status"], outcome, hook["url"], ",".join(hook["events"])])
    _table(["ID", "STATUS", "LAST DELIVERY", "URL", "EVENTS"], rows)


@webhooks.command("create")
@_project
@click.option("--webhook-url", "webhook_url", required=True, help="Where to POST events.")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    help="An event type or pattern (repeatable): version.created, version.*, "
    "version.stage_changed.production, *.",
)
@click.option("--description", default="", help="What the webhook is for.")
@click.option("--model", default=None, help="Only events of this model (by name).")
@_status
@_url
@_token
def webhooks_create(
    project: str,
    webhook_url: str,
    events: tuple[str, ...],
    description: str,
    model: str | None,
    status: str | None,
    url: str,
    token: str | None,
) -> None:
    """Create a webhook; prints its ID and, once, its secret."""
    _warn_http(webhook_url)
    with _client(url, token) as client:
        values: dict[str, Any] = {
            "projectId": _project_id(client, project),
            "url": webhook_url,
            "events": list(events),
            "description": description,
            "status": (status or "ACTIVE").upper(),
        }
        if model is not None:
            values["modelId"] = _model_id(client, project, model)
        payload = _mutate(client, "createWebhook", values)
    click.echo(_describe(payload["webhook"]))
    click.echo(_SECRET_WARNING, err=True)
    click.echo(f"secret: {payload['secret']}")


@webhooks.command("update")
@click.argument("webhook_id")
@click.option("--webhook-url", "webhook_url", default=None, help="A new URL.")
@click.option("--event", "events", multiple=True, help="Replaces the event types (repeatable).")
@click.option("--description", default=None)
@click.option("--model", default=None, help="Only events of this model (by name; needs --project).")
@click.option("--all-models", is_flag=True, help="Remove the model filter.")
@click.option("--project", default=None, help="The project of --model.")
@_status
@_url
@_token
def webhooks_update(
    webhook_id: str,
    webhook_url: str | None,
    events: tuple[str, ...],
    description: str | None,
    model: str | None,
    all_models: bool,
    project: str | None,
    status: str | None,
    url: str,
    token: str | None,
) -> None:
    """Change a webhook. --status ACTIVE enables a disabled one and forgets its failures."""
    if model is not None and all_models:
        raise click.UsageError("Give --model or --all-models, not both.")
    if model is not None and project is None:
        raise click.UsageError("--model needs --project to find the model.")
    _warn_http(webhook_url)
    values: dict[str, Any] = {"id": webhook_id}
    if webhook_url is not None:
        values["url"] = webhook_url
    if events:
        values["events"] = list(events)
    if description is not None:
        values["description"] = description
    if status is not None:
        values["status"] = status.upper()
    if all_models:
        values["modelId"] = None
    with _client(url, token) as client:
        if model is not None and project is not None:
            values["modelId"] = _model_id(client, project, model)
        payload = _mutate(client, "updateWebhook", values)
    click.echo(_describe(payload["webhook"]))


@webhooks.command("delete")
@click.argument("webhook_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_url
@_token
def webhooks_delete(webhook_id: str, yes: bool, url: str, token: str | None) -> None:
    """Delete a webhook and its delivery log."""
    if not yes:
        click.confirm(f"Delete webhook {webhook_id} and its delivery log?", abort=True)
    with _client(url, token) as client:
        _mutate(client, "deleteWebhook", {"id": webhook_id})
    click.echo(f"Deleted webhook {webhook_id}.")


@webhooks.command("test")
@click.argument("webhook_id")
@_url
@_token
def webhooks_test(webhook_id: str, url: str, token: str | None) -> None:
    """Send a webhook.test event; see its outcome with `deliveries`."""
    with _client(url, token) as client:
        delivery = _mutate(client, "sendTestWebhook", {"id": webhook_id})["delivery"]
    click.echo(f"Queued test delivery {delivery['id']}.")


@webhooks.command("deliveries")
@click.argument("webhook_id")
@click.option(
    "--status",
    type=click.Choice(("PENDING", "DELIVERED", "FAILED"), case_sensitive=False),
    default=None,
)
@click.option("--first", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--attempts", "show_attempts", is_flag=True, help="Show every attempt too.")
@_url
@_token
def webhooks_deliveries(
    webhook_id: str,
    status: str | None,
    first: int,
    show_attempts: bool,
    url: str,
    token: str | None,
) -> None:
    """The webhook's delivery log, newest first."""
    variables: dict[str, Any] = {"id": webhook_id, "first": first}
    if status is not None:
        variables["status"] = status.upper()
    with _client(url, token) as client:
        node = _call(client, _DELIVERIES, variables)["node"]
    if node is None:
        raise click.ClickException(f"No webhook has the id {webhook_id} (or it is not yours).")
    edges = node["deliveries"]["edges"]
    if not edges:
        click.echo("No deliveries.")
        return
    rows = []
    for edge in edges:
        d = edge["node"]
        code = "" if d["lastStatusCode"] is None else str(d["lastStatusCode"])
        event = "" if d["eventId"] is None else str(d["eventId"])
        rows.append(
            [d["id"], d["createdAt"][:19], d["status"], d["topic"], event, str(d["attemptCount"]),
             code, d["lastError"][:60]]
        )  # fmt: skip
    _table(["ID", "CREATED", "STATUS", "TOPIC", "EVENT", "ATTEMPTS", "HTTP", "ERROR"], rows)
    if show_attempts:
        for edge in edges:
            for a in edge["node"]["attempts"]:
                code = a["statusCode"] if a["statusCode"] is not None else "-"
                click.echo(
                    f"{edge['node']['id']} attempt {a['attempt']}: {code} in "
                    f"{a['durationMs']} ms {a['error']}".rstrip()
                )


@webhooks.command("redeliver")
@click.argument("delivery_id")
@_url
@_token
def webhooks_redeliver(delivery_id: str, url: str, token: str | None) -> None:
    """Send a delivery's event again (a new delivery, with a new webhook-id)."""
    with _client(url, token) as client:
        delivery = _mutate(client, "redeliverWebhookDelivery", {"id": delivery_id})["delivery"]
    click.echo(f"Queued delivery {delivery['id']} ({delivery['topic']}).")


@webhooks.command("replay")
@click.argument("webhook_id")
@click.option("--from", "from_event", type=int, required=True, help="The first event id.")
@click.option("--to", "to_event", type=int, default=None, help="The last event id.")
@_url
@_token
def webhooks_replay(
    webhook_id: str, from_event: int, to_event: int | None, url: str, token: str | None
) -> None:
    """Deliver again the project's events in a range that the webhook wants (at most 1,000 per
    call; the output says where to go on)."""
    values: dict[str, Any] = {"webhookId": webhook_id, "fromEventId": from_event}
    if to_event is not None:
        values["toEventId"] = to_event
    with _client(url, token) as client:
        result = _mutate(client, "replayEvents", values)
    click.echo(f"Queued {result['count']} deliveries.")
    if not result["complete"]:
        click.echo(f"More events are left: run again with --from {result['lastEventId'] + 1}.")


@webhooks.command("rotate-secret")
@click.argument("webhook_id")
@click.option(
    "--overlap-hours",
    type=click.IntRange(0, 168),
    default=24,
    show_default=True,
    help="How long the current secret keeps signing too.",
)
@_url
@_token
def webhooks_rotate_secret(
    webhook_id: str, overlap_hours: int, url: str, token: str | None
) -> None:
    """A new secret, printed once; the current one keeps signing for a while."""
    with _client(url, token) as client:
        payload = _mutate(
            client,
            "rotateWebhookSecret",
            {"id": webhook_id, "overlapHours": overlap_hours},
        )
    click.echo(_SECRET_WARNING, err=True)
    click.echo(f"secret: {payload['secret']}")
