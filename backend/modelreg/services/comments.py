"""Comments on versions: Markdown, edited and deleted only by their author."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Comment, ModelVersion, RegisteredModel
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import validate_comment
from modelreg.errors import NotFound, PermissionDenied
from modelreg.services.events import record_event


async def _version_and_model(
    session: AsyncSession, version_id: int
) -> tuple[ModelVersion, RegisteredModel]:
    version = await session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"No model version has the id {version_id}.", field="versionId")
    model = await session.get(RegisteredModel, version.model_id)
    assert model is not None
    return version, model


async def _own_comment(
    session: AsyncSession, actor: Actor, comment_id: int, verb: str
) -> tuple[Comment, ModelVersion, RegisteredModel]:
    comment = await session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment has the id {comment_id}.", field="id")
    if not policy.can_change_comment(actor, author=comment.author):
        raise PermissionDenied(
            f"Only {comment.author}, who wrote this comment, can {verb} it.", field="id"
        )
    version, model = await _version_and_model(session, comment.version_id)
    return comment, version, model


def _payload(version: ModelVersion, comment: Comment) -> dict[str, object]:
    return {"version_id": version.id, "version": version.version, "comment_id": comment.id}


async def add_comment(
    session: AsyncSession, *, actor: Actor, version_id: int, body: str
) -> Comment:
    body = validate_comment(body, field="body", required=True)
    policy.require(actor, policy.Ability.COMMENT)
    version, model = await _version_and_model(session, version_id)
    comment = Comment(version_id=version_id, author=actor.name, body=body)
    session.add(comment)
    await session.flush()
    record_event(
        session,
        actor=actor,
        type=EventType.COMMENT_ADDED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={**_payload(version, comment), "body": body},
    )
    return comment


async def edit_comment(
    session: AsyncSession, *, actor: Actor, comment_id: int, body: str
) -> Comment:
    body = validate_comment(body, field="body", required=True)
    comment, version, model = await _own_comment(session, actor, comment_id, "edit")
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited = True
    comment.updated_at = utcnow()
    session.add(comment)
    record_event(
        session,
        actor=actor,
        type=EventType.COMMENT_EDITED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={**_payload(version, comment), "body": body},
    )
    return comment


async def delete_comment(session: AsyncSession, *, actor: Actor, comment_id: int) -> Comment:
    comment, version, model = await _own_comment(session, actor, comment_id, "delete")
    await session.delete(comment)
    await session.flush()
    record_event(
        session,
        actor=actor,
        type=EventType.COMMENT_DELETED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload=_payload(version, comment),
    )
    return comment


async def comments_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, list[Comment]]:
    """Each version's comments, oldest first (a thread reads top to bottom)."""
    rows = await session.exec(
        select(Comment).where(col(Comment.version_id).in_(version_ids)).order_by(col(Comment.id))
    )
    found: dict[int, list[Comment]] = {}
    for row in rows:
        found.setdefault(row.version_id, []).append(row)
    return found
