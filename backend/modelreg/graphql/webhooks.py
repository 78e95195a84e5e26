"""Webhooks in GraphQL: the `Webhook` node, its delivery log, `Project.webhooks` and
`Query.webhookTopics`. Mutations are in `graphql/mutations/webhooks.py`.

Only MAINTAINERs of the project see its webhooks: `Project.webhooks` is null with a
PERMISSION_DENIED error for others, and `node(id:)` answers null. No read shows a secret:
`secretHint` tells secrets apart; the secret itself is in the payload of the mutation that
made it (create, rotate), once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, Self

import strawberry
from strawberry import relay

from modelreg.db.notification_models import Webhook, WebhookAttempt, WebhookDelivery
from modelreg.domain.webhooks import TOPICS, DeliveryStatus, WebhookStatus
from modelreg.errors import DomainError
from modelreg.graphql.context import Info
from modelreg.graphql.ids import encode_id
from modelreg.graphql.lifecycle import ModelRef, _model
from modelreg.graphql.node_common import page_size
from modelreg.services import webhook_sends
from modelreg.services import webhooks as webhook_service

strawberry.enum(
    WebhookStatus,
    description="ACTIVE: receives every matching event. TEST_MODE: only test events sent on "
    "request. DISABLED: nothing (set by hand, or after repeated failed deliveries).",
)
strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: waiting for its first or next attempt. DELIVERED: the receiver "
    "answered 2xx. FAILED: refused (a 4xx, a forbidden address) or out of retries.",
)


@strawberry.type(name="WebhookAttempt", description="One HTTP attempt of a delivery.")
class WebhookAttemptType:
    attempt: int = strawberry.field(description="1 for the first attempt, 2 for the next…")
    started_at: datetime
    duration_ms: int
    status_code: int | None = strawberry.field(
        description="The receiver's HTTP status; null when no answer came (refused address, "
        "connection error, timeout: see `error`)."
    )
    error: str
    response_excerpt: str = strawberry.field(description="The start of the response body.")

    @classmethod
    def from_row(cls, row: WebhookAttempt) -> Self:
        return cls(
            attempt=row.attempt,
            started_at=row.started_at,
            duration_ms=row.duration_ms,
            status_code=row.status_code,
            error=row.error,
            response_excerpt=row.response_excerpt,
        )


@strawberry.type(name="WebhookDelivery", description="One event (or test) sent to a webhook.")
class WebhookDeliveryType:
    id: strawberry.ID
    event_id: int | None = strawberry.field(
        description="The event delivered (its number in the event log); null for a test event."
    )
    topic: str
    message_id: str = strawberry.field(
        description="The `webhook-id` header: the same on every attempt of this delivery."
    )
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due, while PENDING."
    )
    last_status_code: int | None
    last_error: str
    requested_by: str | None = strawberry.field(
        description="Who asked for it (test, redelivery, replay); null when the event did."
    )
    body: str | None = strawberry.field(
        description="The JSON body sent, fixed at the first attempt; null before it."
    )
    created_at: datetime
    finished_at: datetime | None
    prefetched: strawberry.Private[list[WebhookAttempt] | None]

    @classmethod
    def from_row(cls, row: WebhookDelivery, attempts: list[WebhookAttempt] | None = None) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("WebhookDelivery", row.id)),
            event_id=row.event_id,
            topic=row.topic,
            message_id=row.message_id,
            status=row.status,
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at if row.status == DeliveryStatus.PENDING else None,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            requested_by=row.requested_by,
            body=row.body,
            created_at=row.created_at,
            finished_at=row.finished_at,
            prefetched=attempts,
        )

    @strawberry.field(description="Every attempt, first first.")
    async def attempts(self, info: Info) -> list[WebhookAttemptType]:
        found = self.prefetched
        if found is None:
            pk = int(relay.GlobalID.from_id(self.id).node_id)
            async with info.context.read() as session:
                found = (await webhook_sends.attempts_of(session, [pk]))[pk]
        return [WebhookAttemptType.from_row(a) for a in found]


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDeliveryType


@strawberry.type(description="Deliveries, newest first.")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: relay.PageInfo


@strawberry.type(name="Webhook", description="A project's HTTP endpoint for events.")
class WebhookNode(relay.Node):
    id: relay.NodeID[int]
    url: str
    description: str
    events: list[str] = strawberry.field(
        description="Event types, `version.stage_changed.<stage>` topics and wildcards "
        "(`version.*`); see `Query.webhookTopics`."
    )
    status: WebhookStatus
    secret_hint: str = strawberry.field(
        description="The end of the current secret, to tell secrets apart; the secret itself "
        "is shown once, when created or rotated."
    )
    previous_secret_valid_until: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret signs too."
    )
    consecutive_failures: int = strawberry.field(
        description="Deliveries that ran out of retries in a row; reset by a success."
    )
    disabled_reason: str = strawberry.field(
        description="Why the registry disabled it after failed deliveries; empty otherwise."
    )
    model_filter: strawberry.ID | None = strawberry.field(
        description="Only events of this model (a RegisteredModel ID) when set; `model` is null "
        "once that model is deleted."
    )
    created_by: str
    created_at: datetime
    updated_at: datetime
    model_id: strawberry.Private[int | None]
    last: strawberry.Private[WebhookDelivery | bool | None]

    @classmethod
    def from_row(cls, row: Webhook, last: WebhookDelivery | bool | None = False) -> Self:
        """`last`: the newest delivery when already read (None: there is none), else False."""
        assert row.id is not None
        return cls(
            id=row.id,
            url=row.url,
            description=row.description,
            events=list(row.events),
            status=row.status,
            secret_hint=webhook_service.secret_hint(row.secret),
            previous_secret_valid_until=webhook_service.previous_secret_valid_until(row),
            consecutive_failures=row.consecutive_failures,
            disabled_reason=row.disabled_reason,
            model_filter=(
                strawberry.ID(encode_id("RegisteredModel", row.model_id))
                if row.model_id is not None
                else None
            ),
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            model_id=row.model_id,
            last=last,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        found: list[Self | None] = []
        async with info.context.read() as session:
            for node_id in node_ids:
                try:
                    row, _ = await webhook_service.get_webhook(
                        session, actor=info.context.actor, webhook_id=int(node_id)
                    )
                except DomainError:
                    found.append(None)  # missing, or not the viewer's to manage
                    continue
                found.append(cls.from_row(row))
        return found

    @strawberry.field(description="The filtered model; null without a filter or once deleted.")
    async def model(self, info: Info) -> ModelRef | None:
        return await _model(info, self.model_id)

    @strawberry.field(description="The newest delivery, for the outcome at a glance.")
    async def last_delivery(self, info: Info) -> WebhookDeliveryType | None:
        last = self.last
        if last is False:
            async with info.context.read() as session:
                last = (await webhook_sends.last_deliveries(session, [self.id])).get(self.id)
        return WebhookDeliveryType.from_row(last) if isinstance(last, WebhookDelivery) else None

    @strawberry.field(description="The delivery log, newest first, with each one's attempts.")
    async def deliveries(
        self,
        info: Info,
        status: DeliveryStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> WebhookDeliveryConnection:
        size = page_size(info, first)
        async with info.context.read() as session:
            page = await webhook_sends.list_deliveries(
                session,
                actor=info.context.actor,
                webhook_id=self.id,
                first=size,
                after=after,
                status=status,
            )
            ids = [d.id for d in page.items if d.id is not None]
            attempts = await webhook_sends.attempts_of(session, ids)
        return WebhookDeliveryConnection(
            edges=[
                WebhookDeliveryEdge(
                    cursor=cursor, node=WebhookDeliveryType.from_row(row, attempts[row.id or 0])
                )
                for row, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=relay.PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )


class _HasId(Protocol):
    id: int


async def project_webhooks(root: _HasId, info: Info) -> list[WebhookNode] | None:
    """`Project.webhooks`: with each one's newest delivery, in two statements."""
    async with info.context.read() as session:
        rows = await webhook_service.list_webhooks(
            session, actor=info.context.actor, project_id=root.id
        )
        last = await webhook_sends.last_deliveries(session, _ids(rows))
    return [WebhookNode.from_row(r, last.get(r.id or 0)) for r in rows]


def _ids(rows: Sequence[Webhook]) -> list[int]:
    return [r.id for r in rows if r.id is not None]


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="The topics a webhook can subscribe to, for the form: event types and "
        "`version.stage_changed.<stage>`. A pattern may end with `*` (`version.*`, `*`)."
    )
    def webhook_topics(self) -> list[str]:
        return list(TOPICS)
