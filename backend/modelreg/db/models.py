"""Tables. Every foreign key and every filter/sort column is indexed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from modelreg.db.types import BinaryPath, BinaryText, UTCDateTime, utcnow
from modelreg.domain.compatibility import SemverGuard
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.notifications import DEFAULT_LEVEL, NotificationLevel
from modelreg.domain.policy import Role, Visibility

metadata = SQLModel.metadata
metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The event log refers to these rows by id after they are deleted; SQLite would otherwise hand a
# deleted row's id to the next new row, and the new row would inherit the old one's history.
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Project(SQLModel, table=True):
    __tablename__ = "project"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=255)
    description: str = Field(default="", sa_type=sa.Text)
    visibility: Visibility = Field(
        default=Visibility.PRIVATE,
        sa_type=sa.Enum(Visibility, native_enum=False, length=16, validate_strings=True),
    )
    # What the SemVer guard does with a version whose number is smaller than its changes need.
    semver_guard: SemverGuard = Field(
        default=SemverGuard.WARN,
        sa_type=sa.Enum(SemverGuard, native_enum=False, length=16, validate_strings=True),
        sa_column_kwargs={"server_default": SemverGuard.WARN.value},
    )
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class RegisteredModel(SQLModel, table=True):
    __tablename__ = "registered_model"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "name"),
        sa.Index(None, "project_id", "updated_at"),
        sa.Index(None, "project_id", "created_at"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=255)
    description: str = Field(default="", sa_type=sa.Text)
    last_version_number: int = Field(default=0)
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ModelVersion(SQLModel, table=True):
    __tablename__ = "model_version"
    __table_args__ = (
        sa.UniqueConstraint("model_id", "version"),
        sa.UniqueConstraint("model_id", "number"),
        sa.UniqueConstraint("model_id", "sort_key"),
        sa.Index(None, "model_id", "is_prerelease", "sort_key"),
        sa.Index(None, "model_id", "created_at"),
        sa.Index(None, "model_id", "stage"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("registered_model.id", ondelete="CASCADE"), nullable=False
        )
    )
    number: int
    version: str = Field(max_length=128)
    sort_key: str = Field(sa_type=BinaryText)
    is_prerelease: bool
    description: str = Field(default="", sa_type=sa.Text)
    stage: Stage = Field(
        default=Stage.NONE,
        sa_type=sa.Enum(Stage, native_enum=False, length=16, validate_strings=True),
        sa_column_kwargs={"server_default": Stage.NONE.value},
    )
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    # Where the version came from: the MLflow run, the source URI the client gave, the MLflow 3
    # logged model. Lineage (CI job, pipeline, merge request, commit) is in `modelreg.*` tags.
    run_uuid: str | None = Field(default=None, max_length=32, index=True)
    source: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    logged_model_uuid: str | None = Field(default=None, max_length=64)


class ModelTag(SQLModel, table=True):
    __tablename__ = "model_tag"
    __table_args__ = (
        sa.UniqueConstraint("model_id", "key"),
        sa.Index(None, "key", "value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("registered_model.id", ondelete="CASCADE"), nullable=False
        )
    )
    key: str = Field(max_length=250)
    value: str = Field(sa_type=sa.Text)


class VersionTag(SQLModel, table=True):
    __tablename__ = "version_tag"
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=250)
    value: str = Field(sa_type=sa.Text)


class Event(SQLModel, table=True):
    """Append-only. Ids of the subjects are kept without foreign keys so history outlives them."""

    __tablename__ = "event"
    __table_args__ = (
        sa.Index(None, "project_id", "id"),
        sa.Index(None, "model_id", "id"),
        sa.Index(None, "version_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=64)
    actor: str = Field(max_length=255)
    project_id: int | None = None
    model_id: int | None = None
    version_id: int | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = _created()


class Blob(SQLModel, table=True):
    """File contents, stored once by SHA-256 and shared by every artifact with the same bytes."""

    __tablename__ = "blob"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    size: int = Field(sa_type=sa.BigInteger)
    storage_key: str = Field(max_length=255, unique=True)
    created_at: datetime = _created()


class Artifact(SQLModel, table=True):
    """A file of a model version: its path inside the version and the blob with its bytes."""

    __tablename__ = "artifact"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "path"),
        sa.Index(None, "blob_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), nullable=False)
    )
    path: str = Field(sa_type=BinaryPath)
    blob_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("blob.id", ondelete="RESTRICT"), nullable=False)
    )
    content_type: str = Field(max_length=255)
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()


class VersionMetadata(SQLModel, table=True):
    """What a version's files say (MLmodel, requirements.txt, conda.yaml, python_env.yaml):
    `ModelMetadata.to_json()`, refreshed whenever the version's files change. No row: the
    version has neither an MLmodel nor a dependency file."""

    __tablename__ = "version_metadata"

    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), primary_key=True)
    )
    document: dict[str, Any] = Field(sa_type=sa.JSON)
    updated_at: datetime = _created()


class ModelAlias(SQLModel, table=True):
    """A name (`champion`) pointing at one version of a model; unique per model."""

    __tablename__ = "model_alias"
    __table_args__ = (
        sa.UniqueConstraint("model_id", "alias"),
        sa.Index(None, "version_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("registered_model.id", ondelete="CASCADE"), nullable=False
        )
    )
    alias: str = Field(max_length=255)
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), nullable=False)
    )
    created_by: str = Field(max_length=255)
    updated_at: datetime = _created()


class TransitionRequest(SQLModel, table=True):
    __tablename__ = "transition_request"
    __table_args__ = (
        sa.Index(None, "version_id", "status"),
        # The inbox: pending requests in id order, and a requester's own.
        sa.Index(None, "status", "id"),
        sa.Index(None, "requester", "status"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), nullable=False)
    )
    target_stage: Stage = Field(
        sa_type=sa.Enum(Stage, native_enum=False, length=16, validate_strings=True)
    )
    requester: str = Field(max_length=255)
    comment: str = Field(default="", sa_type=sa.Text)
    status: RequestStatus = Field(
        default=RequestStatus.PENDING,
        sa_type=sa.Enum(RequestStatus, native_enum=False, length=16, validate_strings=True),
    )
    resolver: str | None = Field(default=None, max_length=255)
    resolution_comment: str = Field(default="", sa_type=sa.Text)
    archive_existing: bool = False
    created_at: datetime = _created()
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    """Markdown on a version; only its author edits or deletes it."""

    __tablename__ = "comment"
    __table_args__ = (sa.Index(None, "version_id", "id"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), nullable=False)
    )
    author: str = Field(max_length=255)
    body: str = Field(sa_type=sa.Text)
    edited: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Deployment(SQLModel, table=True):
    """A `modelreg serve-model` process serving a version: open until it reports STOPPED.

    One process (`instance`) has at most one open record per version; names, not user ids, as
    in comments, so a record outlives its user."""

    __tablename__ = "deployment"
    __table_args__ = (
        # A version's deployments newest first (the version page) and the open ones.
        sa.Index(None, "version_id", "id"),
        sa.Index(
            "uq_deployment_open_instance_version",
            "instance",
            "version_id",
            unique=True,
            sqlite_where=sa.text("stopped_at IS NULL"),
            postgresql_where=sa.text("stopped_at IS NULL"),
        ),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), nullable=False)
    )
    instance: str = Field(max_length=32)
    endpoint: str = Field(max_length=500)
    reference: str = Field(max_length=300)
    role: str | None = Field(default=None, max_length=100)
    started_by: str = Field(max_length=255)
    started_at: datetime = _created()
    stopped_by: str | None = Field(default=None, max_length=255)
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserAccount(SQLModel, table=True):
    """A person (or robot) who signs in. `username` is stored lower-case and never changes."""

    __tablename__ = "user_account"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(default="", max_length=255)
    # argon2id, in the PHC string format; never leaves the server.
    password_hash: str = Field(max_length=255)
    is_admin: bool = False
    created_at: datetime = _created()
    password_changed_at: datetime = _created()
    # Where mail goes (empty: none) and the e-mail level for models without a setting of their own.
    email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    notification_level: NotificationLevel = Field(
        default=DEFAULT_LEVEL,
        sa_type=sa.Enum(NotificationLevel, native_enum=False, length=16, validate_strings=True),
        sa_column_kwargs={"server_default": DEFAULT_LEVEL.value},
    )


class UserSession(SQLModel, table=True):
    """A browser sign-in. The cookie holds a random secret; only its SHA-256 is stored here."""

    __tablename__ = "user_session"
    __table_args__ = (sa.Index(None, "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    secret_hash: str = Field(max_length=64, unique=True)
    # Double-submit CSRF token: the web app echoes it in a header on every write.
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class PersonalAccessToken(SQLModel, table=True):
    """A token for tools and the MLflow client; shown once, stored as its SHA-256."""

    __tablename__ = "personal_access_token"
    __table_args__ = (sa.Index(None, "user_id"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=255)
    secret_hash: str = Field(max_length=64, unique=True)
    # The first characters of the token, so a person can tell their tokens apart.
    prefix: str = Field(max_length=16)
    scopes: str = Field(max_length=64)  # space-separated Scope values
    created_at: datetime = _created()
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id"), sa.Index(None, "user_id"))

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    role: Role = Field(sa_type=sa.Enum(Role, native_enum=False, length=16, validate_strings=True))
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept for the rate limit window (per account and per client address)."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index(None, "username", "at"), sa.Index(None, "address", "at"))

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=255)
    address: str = Field(max_length=64)
    at: datetime = _created()


# --- MLflow tracking: only what the MLflow client needs to log a model and register it -------


class Experiment(SQLModel, table=True):
    __tablename__ = "experiment"
    __table_args__ = (sa.UniqueConstraint("project_id", "name"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=500)
    lifecycle_stage: str = Field(default="active", max_length=16)
    tags: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Run(SQLModel, table=True):
    __tablename__ = "run"
    __table_args__ = (sa.Index(None, "experiment_id", "start_time"),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(max_length=32, unique=True)
    experiment_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("experiment.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(default="", max_length=250)
    status: str = Field(default="RUNNING", max_length=16)
    lifecycle_stage: str = Field(default="active", max_length=16)
    user: str = Field(default="", max_length=255)
    start_time: int = Field(sa_type=sa.BigInteger)  # epoch milliseconds, as MLflow keeps them
    end_time: int | None = Field(default=None, sa_type=sa.BigInteger)
    # Datasets and model inputs/outputs from log-inputs / outputs, as the client sent them.
    inputs: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_by: str = Field(max_length=255)


class RunParam(SQLModel, table=True):
    __tablename__ = "run_param"
    __table_args__ = (sa.UniqueConstraint("run_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=250)
    value: str = Field(sa_type=sa.Text)


class RunTag(SQLModel, table=True):
    __tablename__ = "run_tag"
    __table_args__ = (sa.UniqueConstraint("run_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=250)
    value: str = Field(sa_type=sa.Text)


class RunMetric(SQLModel, table=True):
    """Every logged value of a metric: the step history."""

    __tablename__ = "run_metric"
    __table_args__ = (sa.Index(None, "run_id", "key", "step", "timestamp"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False)
    )
    key: str = Field(max_length=250)
    # SQLite cannot store NaN (it becomes NULL): a NaN is kept as 0 with `is_nan`, as MLflow does.
    value: float = Field(sa_type=sa.Float)
    is_nan: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    timestamp: int = Field(sa_type=sa.BigInteger)
    step: int = Field(default=0, sa_type=sa.BigInteger)


class LoggedModel(SQLModel, table=True):
    """An MLflow 3 logged model (`m-<hex>`): what `log_model` creates before registration."""

    __tablename__ = "logged_model"
    __table_args__ = (sa.Index(None, "experiment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(max_length=64, unique=True)
    experiment_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("experiment.id", ondelete="CASCADE"), nullable=False)
    )
    name: str = Field(max_length=500)
    source_run_uuid: str | None = Field(default=None, max_length=32)
    status: str = Field(default="LOGGED_MODEL_PENDING", max_length=32)
    model_type: str = Field(default="", max_length=255)
    params: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    tags: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    created_by: str = Field(max_length=255)
    creation_time: int = Field(sa_type=sa.BigInteger)
    last_updated_time: int = Field(sa_type=sa.BigInteger)
    # MLflow deletes a logged model softly: "deleted" ones are gone from reads and searches.
    lifecycle_stage: str = Field(
        default="active", max_length=16, sa_column_kwargs={"server_default": "active"}
    )


class LoggedModelMetric(SQLModel, table=True):
    """A metric value logged for a logged model (`log-metric` / `log-batch` with `model_id`),
    with the run and the dataset it was measured in, as MLflow keeps them."""

    __tablename__ = "logged_model_metric"
    __table_args__ = (sa.Index(None, "logged_model_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    logged_model_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("logged_model.id", ondelete="CASCADE"), nullable=False)
    )
    run_uuid: str | None = Field(default=None, max_length=32)
    key: str = Field(max_length=250)
    # A NaN is kept as 0 with `is_nan`, as for run metrics.
    value: float = Field(sa_type=sa.Float)
    is_nan: bool = Field(default=False)
    timestamp: int = Field(sa_type=sa.BigInteger)
    step: int = Field(default=0, sa_type=sa.BigInteger)
    dataset_name: str | None = Field(default=None, max_length=500)
    dataset_digest: str | None = Field(default=None, max_length=36)


class TrackedFile(SQLModel, table=True):
    """A file stored through MLflow's artifact proxy, under its path in the project's artifact
    root (`<experiment>/<run>/artifacts/model/MLmodel`). Bytes live in a shared `Blob`."""

    __tablename__ = "tracked_file"
    __table_args__ = (sa.UniqueConstraint("project_id", "path"), sa.Index(None, "blob_id"))

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    path: str = Field(sa_type=BinaryPath)
    blob_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("blob.id", ondelete="RESTRICT"), nullable=False)
    )
    created_by: str = Field(max_length=255)
    created_at: datetime = _created()


# Webhooks and notifications live in their own module; importing it here puts their tables on
# this metadata for migrations and the drift check.
from modelreg.db import mail_models as mail_models  # noqa: E402
from modelreg.db import notification_models as notification_models  # noqa: E402
from modelreg.db import transfer_models as transfer_models  # noqa: E402
