"""E-mail notification settings and who hears about an event.

A user's level for a model (`ALL`, `PARTICIPATING`, `MUTED`) is their setting for that model,
else their own default; a default of `ALL` covers the projects the user is a member of (not every
public project of the instance). Following a version (one click, or by acting on it: creating it,
requesting a transition, commenting) is what `PARTICIPATING` mails about. `recipients` decides,
when the mail is sent, who gets an event: only people who may still read the project, never the
actor themself, only with an address; plus every member who may approve a pending request to
Production, and the owner of a webhook the delivery worker disabled. MUTED silences everything
but that last notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import (
    Event,
    Membership,
    ModelVersion,
    Project,
    RegisteredModel,
    TransitionRequest,
    UserAccount,
)
from modelreg.db.notification_models import ModelNotificationSetting, VersionFollow
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.notifications import FollowReason, NotificationLevel
from modelreg.domain.policy import Ability, Role
from modelreg.errors import InvalidArgument, NotFound, Unauthenticated
from modelreg.services import access

MAX_EMAIL_LENGTH = 254
# Deliberately plain: one @, no spaces, quotes, angle brackets or line breaks (a header
# injection), and a dotted domain.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def validate_email(email: str) -> str:
    """The address, trimmed; "" clears it. INVALID_ARGUMENT (field `email`) when malformed."""
    email = email.strip()
    if email == "":
        return email
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        raise InvalidArgument(
            f"'{email[:80]}' is not an e-mail address; give one such as ada@example.com, "
            "or an empty address to get no mail.",
            field="email",
        )
    return email


def _signed_in(actor: Actor) -> int:
    if actor.user_id is None:
        raise Unauthenticated("Sign in to change your notification settings.")
    return actor.user_id


async def _user(session: AsyncSession, actor: Actor) -> UserAccount:
    user = await session.get(UserAccount, _signed_in(actor))
    if user is None:
        raise Unauthenticated("Your account no longer exists; sign in again.")
    return user


async def set_email(session: AsyncSession, *, actor: Actor, email: str) -> UserAccount:
    """Where the viewer's mail goes ("" for none)."""
    user = await _user(session, actor)
    user.email = validate_email(email)
    session.add(user)
    await session.flush()
    return user


async def set_default_level(
    session: AsyncSession, *, actor: Actor, level: NotificationLevel
) -> UserAccount:
    """The viewer's level for models without a setting of their own."""
    user = await _user(session, actor)
    user.notification_level = level
    session.add(user)
    await session.flush()
    return user


async def _readable_model(session: AsyncSession, actor: Actor, model_id: int) -> RegisteredModel:
    hidden = NotFound(f"No registered model has the id {model_id}.", field="modelId")
    model = await session.get(RegisteredModel, model_id)
    if model is None:
        raise hidden
    await access.require(session, actor, model.project_id, Ability.READ, hidden=hidden)
    return model


@dataclass(frozen=True, slots=True)
class ModelLevel:
    level: NotificationLevel
    # True when the user chose it for this model; False when it is their default.
    explicit: bool


async def model_levels(
    session: AsyncSession, *, user_id: int, model_ids: Iterable[int]
) -> dict[int, ModelLevel]:
    """The user's effective level for each model (one query for the settings)."""
    ids = list(model_ids)
    user = await session.get(UserAccount, user_id)
    default = user.notification_level if user is not None else NotificationLevel.PARTICIPATING
    rows = await session.exec(
        select(ModelNotificationSetting.model_id, ModelNotificationSetting.level).where(
            ModelNotificationSetting.user_id == user_id,
            col(ModelNotificationSetting.model_id).in_(ids),
        )
    )
    found = {m: ModelLevel(NotificationLevel(level), True) for m, level in rows.all()}
    return {m: found.get(m, ModelLevel(default, False)) for m in ids}


async def set_model_level(
    session: AsyncSession, *, actor: Actor, model_id: int, level: NotificationLevel | None
) -> ModelLevel:
    """The viewer's level for one model; None goes back to their default."""
    await _readable_model(session, actor, model_id)  # first: a hidden model is NOT_FOUND
    user_id = _signed_in(actor)
    await _store_model_level(session, user_id=user_id, model_id=model_id, level=level)
    return (await model_levels(session, user_id=user_id, model_ids=[model_id]))[model_id]


async def _store_model_level(
    session: AsyncSession, *, user_id: int, model_id: int, level: NotificationLevel | None
) -> None:
    row = await session.get(ModelNotificationSetting, (user_id, model_id))
    if level is None:
        if row is not None:
            await session.delete(row)
            await session.flush()
        return
    if row is None:
        row = ModelNotificationSetting(user_id=user_id, model_id=model_id, level=level)
    row.level = level
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()


async def unsubscribe(session: AsyncSession, *, user_id: int, model_id: int) -> str | None:
    """Mute one model for a user (a signed unsubscribe link, no sign-in); model 0 mutes the
    user's default level. The model's name (or None when the model or user is gone)."""
    user = await session.get(UserAccount, user_id)
    if user is None:
        return None
    if model_id == 0:
        user.notification_level = NotificationLevel.MUTED
        session.add(user)
        await session.flush()
        return ""
    model = await session.get(RegisteredModel, model_id)
    if model is None:
        return None
    await _store_model_level(
        session, user_id=user_id, model_id=model_id, level=NotificationLevel.MUTED
    )
    return model.name


# ---------------------------------------------------------------------------------- follows


async def _readable_version(session: AsyncSession, actor: Actor, version_id: int) -> ModelVersion:
    hidden = NotFound(f"No model version has the id {version_id}.", field="versionId")
    version = await session.get(ModelVersion, version_id)
    model = await session.get(RegisteredModel, version.model_id) if version else None
    if version is None or model is None:
        raise hidden
    await access.require(session, actor, model.project_id, Ability.READ, hidden=hidden)
    return version


async def _insert_follow(
    session: AsyncSession, *, user_id: int, version_id: int, reason: FollowReason
) -> None:
    """Follow unless already following (the first reason stays)."""
    conn = await plain(session)
    values = {
        "user_id": user_id,
        "version_id": version_id,
        "reason": reason,
        "created_at": utcnow(),
    }
    table = VersionFollow.__table__  # type: ignore[attr-defined]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(table).values(values).on_conflict_do_nothing())


async def follow_version(session: AsyncSession, *, actor: Actor, version_id: int) -> ModelVersion:
    """The viewer follows a version they may read (doing it twice changes nothing)."""
    version = await _readable_version(session, actor, version_id)
    user_id = _signed_in(actor)
    await _insert_follow(
        session, user_id=user_id, version_id=version_id, reason=FollowReason.FOLLOWED
    )
    return version


async def unfollow_version(session: AsyncSession, *, actor: Actor, version_id: int) -> ModelVersion:
    version = await _readable_version(session, actor, version_id)
    user_id = _signed_in(actor)
    await session.exec(
        sa.delete(VersionFollow).where(
            col(VersionFollow.user_id) == user_id, col(VersionFollow.version_id) == version_id
        )
    )
    return version


async def follow_on_action(
    session: AsyncSession, actor: Actor, version_id: int | None, reason: FollowReason
) -> None:
    """Acting on a version follows it. Actors that are no user account (the system, the
    operator's CLI) follow nothing; a token acts for its user."""
    if actor.user_id is None or version_id is None:
        return
    await _insert_follow(session, user_id=actor.user_id, version_id=version_id, reason=reason)


async def followed_versions(
    session: AsyncSession, *, user_id: int, version_ids: Iterable[int]
) -> set[int]:
    rows = await session.exec(
        select(VersionFollow.version_id).where(
            VersionFollow.user_id == user_id, col(VersionFollow.version_id).in_(list(version_ids))
        )
    )
    return set(rows.all())


# ------------------------------------------------------------------------------- recipients


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    username: str
    email: str
    # Why they get it, as the mail says: "you follow this version".
    reason: str


REASON_OWNER = "you own this webhook"
REASON_APPROVER = "you can approve this request"
REASON_FOLLOW = "you follow this version"
REASON_ALL = "you get all activity of this model"


async def recipients(session: AsyncSession, event: Event) -> list[Recipient]:
    """Who gets mail about `event`, decided now (see the module docstring)."""
    if event.project_id is None:
        return []
    project = await session.get(Project, event.project_id)
    if project is None:
        return []
    if event.type == EventType.WEBHOOK_DISABLED.value:
        return await _webhook_owner(session, event, project)
    if event.model_id is None:
        return []
    approval_stages = await _pending_production_stages(session, event)
    setting = ModelNotificationSetting
    level = sa.func.coalesce(col(setting.level), col(UserAccount.notification_level))
    statement = (
        sa.select(
            col(UserAccount.id),
            col(UserAccount.username),
            col(UserAccount.email),
            col(UserAccount.is_admin),
            level,
            col(setting.level),
            col(VersionFollow.user_id).is_not(None),
            col(Membership.role),
        )
        .select_from(UserAccount)
        .outerjoin(
            setting,
            sa.and_(
                col(setting.user_id) == UserAccount.id, col(setting.model_id) == event.model_id
            ),
        )
        .outerjoin(
            VersionFollow,
            sa.and_(
                col(VersionFollow.user_id) == UserAccount.id,
                col(VersionFollow.version_id) == (event.version_id or 0),
                # Following is about what happens next, not what came before.
                col(VersionFollow.created_at) <= event.created_at,
            ),
        )
        .outerjoin(
            Membership,
            sa.and_(
                col(Membership.user_id) == UserAccount.id,
                col(Membership.project_id) == project.id,
            ),
        )
        .where(col(UserAccount.email) != "", col(UserAccount.username) != event.actor)
        .where(level != NotificationLevel.MUTED)
        .order_by(col(UserAccount.id))
    )
    # ALL from a model's own setting, or from the user's default in a project they are a member
    # of: a default of ALL does not subscribe anyone to every public project of the instance.
    member = col(Membership.role).is_not(None)
    wanted = [
        col(setting.level) == NotificationLevel.ALL,
        sa.and_(
            col(setting.level).is_(None),
            col(UserAccount.notification_level) == NotificationLevel.ALL,
            member,
        ),
        col(VersionFollow.user_id).is_not(None),
    ]
    if approval_stages:
        wanted.append(member)  # approvers are mailed as members (an admin too, when one)
    statement = statement.where(sa.or_(*wanted))
    rows = (await session.exec(statement)).all()  # type: ignore[call-overload]
    found: list[Recipient] = []
    for user_id, username, email, is_admin, user_level, explicit, follows, role in rows:
        person = Actor(name=username, user_id=user_id, is_admin=is_admin)
        member_role = Role(role) if role is not None else None
        if not policy.can_read(person, visibility=project.visibility, role=member_role):
            continue
        reason = ""
        if (
            approval_stages
            and member_role is not None
            and policy.decide(
                person,
                Ability.APPROVE_TRANSITION,
                visibility=project.visibility,
                role=member_role,
                stages=approval_stages,
            ).allowed
        ):
            reason = REASON_APPROVER
        elif follows:
            reason = REASON_FOLLOW
        elif NotificationLevel(user_level) is NotificationLevel.ALL and (
            explicit is not None or member_role is not None
        ):
            reason = REASON_ALL
        if reason:
            found.append(Recipient(user_id, username, email, reason))
    return found


async def _pending_production_stages(session: AsyncSession, event: Event) -> list[Stage]:
    """For a request to Production still pending now: the stages approving it touches."""
    if event.type != EventType.TRANSITION_REQUESTED.value:
        return []
    payload = event.payload or {}
    if payload.get("to") != Stage.PRODUCTION.value or not isinstance(
        payload.get("request_id"), int
    ):
        return []
    request = await session.get(TransitionRequest, payload["request_id"])
    if request is None or request.status != RequestStatus.PENDING:
        return []
    version = await session.get(ModelVersion, request.version_id)
    current = version.stage if version is not None else Stage.NONE
    return [current, Stage.PRODUCTION]


async def _webhook_owner(session: AsyncSession, event: Event, project: Project) -> list[Recipient]:
    owner = (event.payload or {}).get("owner")
    if not isinstance(owner, str) or not owner:
        return []
    user = (await session.exec(select(UserAccount).where(UserAccount.username == owner))).first()
    if user is None or user.id is None or not user.email:
        return []
    person = Actor(name=user.username, user_id=user.id, is_admin=user.is_admin)
    role = await access.role_in(session, person, project.id or 0)
    if not policy.can_read(person, visibility=project.visibility, role=role):
        return []
    return [Recipient(user.id, user.username, user.email, REASON_OWNER)]
