"""Webhook mutations: create, update, delete, rotate the secret, send a test event, redeliver,
replay a range of the event log. Each is one transaction through `services/webhooks.py` and
`services/webhook_sends.py`; the secret appears only in the payloads of create and rotate."""

from __future__ import annotations

from datetime import timedelta

import strawberry

from modelreg.db.notification_models import WebhookDelivery
from modelreg.domain.webhooks import WebhookStatus
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.graphql.mutations.common import DeletePayload
from modelreg.graphql.webhooks import WebhookDeliveryType, WebhookNode
from modelreg.services import webhook_sends
from modelreg.services import webhooks as webhook_service


@strawberry.input
class CreateWebhookInput:
    project_id: strawberry.ID
    url: str = strawberry.field(
        description="Where to POST events: https:// (http:// works but sends in the clear). "
        "No user or password in it: receivers check the signature."
    )
    events: list[str] = strawberry.field(
        description="Topics from `Query.webhookTopics`; a pattern may end with `*`."
    )
    description: str = ""
    model_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only events of this model; null for every model."
    )
    status: WebhookStatus = WebhookStatus.ACTIVE


@strawberry.input(description="Changes the fields given; `modelId: null` removes the filter.")
class UpdateWebhookInput:
    id: strawberry.ID
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    model_id: strawberry.ID | None = strawberry.UNSET
    status: WebhookStatus | None = strawberry.field(
        default=None,
        description="ACTIVE or TEST_MODE enables a disabled webhook and forgets its failures.",
    )


@strawberry.input
class WebhookIdInput:
    id: strawberry.ID


@strawberry.input
class RotateWebhookSecretInput:
    id: strawberry.ID
    overlap_hours: int = strawberry.field(
        default=24,
        description="Hours the current secret keeps signing next to the new one (0 to 168), so "
        "receivers can switch without losing a delivery.",
    )


@strawberry.input
class RedeliverWebhookDeliveryInput:
    id: strawberry.ID = strawberry.field(description="A WebhookDelivery ID.")


@strawberry.input(description="Delivers the events of a range of the project's event log again.")
class ReplayEventsInput:
    webhook_id: strawberry.ID
    from_event_id: int = strawberry.field(description="The first event (its number), included.")
    to_event_id: int | None = strawberry.field(
        default=None, description="The last event, included; null for the newest."
    )


@strawberry.type
class WebhookPayload:
    webhook: WebhookNode | None
    errors: list[UserError]


@strawberry.type(description="A webhook with its new secret: shown this once, store it now.")
class WebhookWithSecretPayload:
    webhook: WebhookNode | None
    secret: str | None = strawberry.field(
        description="`whsec_<base64>`: the receiver's key to verify signatures. Not shown again."
    )
    errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None
    errors: list[UserError]


@strawberry.type
class ReplayEventsPayload:
    count: int = strawberry.field(description="Deliveries written (at most 1,000 per call).")
    last_event_id: int | None = strawberry.field(description="The last event looked at.")
    complete: bool = strawberry.field(
        description="False when the range holds more: replay again from `lastEventId + 1`."
    )
    errors: list[UserError]


def _webhook_id(value: strawberry.ID, field: str = "id") -> int:
    return decode_id(value, "Webhook", field=field)


def _model_change(value: strawberry.ID | None) -> int | webhook_service.Keep | None:
    if value is strawberry.UNSET:
        return webhook_service.KEEP
    return decode_id(value, "RegisteredModel", field="modelId") if value is not None else None


def _with_secret(
    created: webhook_service.WebhookWithSecret | None, errors: list[UserError]
) -> WebhookWithSecretPayload:
    if created is None:
        return WebhookWithSecretPayload(webhook=None, secret=None, errors=errors)
    return WebhookWithSecretPayload(
        webhook=WebhookNode.from_row(created.webhook), secret=created.secret, errors=errors
    )


def _delivery(row: WebhookDelivery | None, errors: list[UserError]) -> WebhookDeliveryPayload:
    return WebhookDeliveryPayload(
        delivery=WebhookDeliveryType.from_row(row, []) if row else None, errors=errors
    )


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Creates a webhook (MAINTAINER); the payload shows its secret once."
    )
    async def create_webhook(
        self, info: Info, input: CreateWebhookInput
    ) -> WebhookWithSecretPayload:
        created, errors = await run_mutation(
            info,
            lambda s: webhook_service.create_webhook(
                s,
                actor=info.context.actor,
                project_id=decode_id(input.project_id, "Project", field="projectId"),
                url=input.url,
                events=input.events,
                description=input.description,
                model_id=(
                    decode_id(input.model_id, "RegisteredModel", field="modelId")
                    if input.model_id is not None
                    else None
                ),
                status=input.status,
            ),
        )
        return _with_secret(created, errors)

    @strawberry.mutation
    async def update_webhook(self, info: Info, input: UpdateWebhookInput) -> WebhookPayload:
        row, errors = await run_mutation(
            info,
            lambda s: webhook_service.update_webhook(
                s,
                actor=info.context.actor,
                webhook_id=_webhook_id(input.id),
                url=input.url,
                events=input.events,
                description=input.description,
                model_id=_model_change(input.model_id),
                status=input.status,
            ),
        )
        return WebhookPayload(webhook=WebhookNode.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="Deletes a webhook with its delivery log.")
    async def delete_webhook(self, info: Info, input: WebhookIdInput) -> DeletePayload:
        row, errors = await run_mutation(
            info,
            lambda s: webhook_service.delete_webhook(
                s, actor=info.context.actor, webhook_id=_webhook_id(input.id)
            ),
        )
        deleted = strawberry.ID(encode_id("Webhook", row.id)) if row and row.id else None
        return DeletePayload(deleted_id=deleted, errors=errors)

    @strawberry.mutation(
        description="A new secret, shown once in the payload; the current one keeps signing for "
        "`overlapHours`."
    )
    async def rotate_webhook_secret(
        self, info: Info, input: RotateWebhookSecretInput
    ) -> WebhookWithSecretPayload:
        created, errors = await run_mutation(
            info,
            lambda s: webhook_service.rotate_secret(
                s,
                actor=info.context.actor,
                webhook_id=_webhook_id(input.id),
                previous_valid_for=timedelta(hours=input.overlap_hours),
            ),
        )
        return _with_secret(created, errors)

    @strawberry.mutation(description="Sends a `webhook.test` event (ACTIVE or TEST_MODE webhooks).")
    async def send_test_webhook(self, info: Info, input: WebhookIdInput) -> WebhookDeliveryPayload:
        row, errors = await run_mutation(
            info,
            lambda s: webhook_sends.send_test(
                s, actor=info.context.actor, webhook_id=_webhook_id(input.id)
            ),
        )
        return _delivery(row, errors)

    @strawberry.mutation(description="Sends a delivery's event again, with a new `webhook-id`.")
    async def redeliver_webhook_delivery(
        self, info: Info, input: RedeliverWebhookDeliveryInput
    ) -> WebhookDeliveryPayload:
        row, errors = await run_mutation(
            info,
            lambda s: webhook_sends.redeliver(
                s,
                actor=info.context.actor,
                delivery_id=decode_id(input.id, "WebhookDelivery"),
            ),
        )
        return _delivery(row, errors)

    @strawberry.mutation(
        description="Delivers the project's events in a range again, those the webhook's topics "
        "and model filter match; at most 1,000 per call."
    )
    async def replay_events(self, info: Info, input: ReplayEventsInput) -> ReplayEventsPayload:
        result, errors = await run_mutation(
            info,
            lambda s: webhook_sends.replay_events(
                s,
                actor=info.context.actor,
                webhook_id=_webhook_id(input.webhook_id, "webhookId"),
                from_event_id=input.from_event_id,
                to_event_id=input.to_event_id,
            ),
        )
        if result is None:
            return ReplayEventsPayload(count=0, last_event_id=None, complete=False, errors=errors)
        return ReplayEventsPayload(
            count=result.count,
            last_event_id=result.last_event_id,
            complete=result.complete,
            errors=errors,
        )
