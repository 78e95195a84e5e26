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
from modelreg.domain.notifications import FollowReason
from modelreg.domain.policy import Ability
from modelreg.errors import NotFound, PermissionDenied
from modelreg.services import access
from modelreg.services.events import record_event
from modelreg.services.notifications import follow_on_action
from modelreg.services.versions import get_version


async def _own_comment(
    session: AsyncSession, actor: Actor, comment_id: int, verb: str
) -> tuple[Comment, ModelVersion, RegisteredModel]:
    comment = await session.get(Comment, comment_id)
    hidden = NotFound(f"No comment has the id {comment_id}.", field="id")
    if comment is None:
        raise hidden
    version = await session.get(ModelVersion, comment.version_id)
    model = await session.get(RegisteredModel, version.model_id) if version else None
    if version is None or model is None:
        raise hidden
    await access.require(session, actor, model.project_id, Ability.COMMENT, hidden=hidden)
    if not policy.is_author(actor, author=comment.author):
        raise PermissionDenied(
            f"Only {comment.author}, who wrote this comment, can {verb} it.", field="id"
        )
    return comment, version, model


def _payload(version: ModelVersion, comment: Comment) -> dict[str, object]:
    return {"version_id": version.id, "version": version.version, "comment_id": comment.id}


async def add_comment(
    session: AsyncSession, *, actor: Actor, version_id: int, body: str
) -> Comment:
    body = validate_comment(body, field="body", required=True)
    version, model = await get_version(
        session, version_id=version_id, actor=actor, ability=Ability.COMMENT, field="versionId"
    )
    comment = Comment(version_id=version_id, author=actor.name, body=body)
    session.add(comment)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.COMMENT_ADDED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={**_payload(version, comment), "body": body},
    )
    await follow_on_action(session, actor, version.id, FollowReason.COMMENTED)
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
    await record_event(
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
    await record_event(
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
