"""The kinds of events the registry records. Stable strings: they are stored and sent out."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    PROJECT_DELETED = "project.deleted"
    # One per project an import (modelreg import) wrote; its payload says from where and what.
    PROJECT_IMPORTED = "project.imported"
    MODEL_CREATED = "model.created"
    MODEL_UPDATED = "model.updated"
    MODEL_DELETED = "model.deleted"
    MODEL_TAGS_SET = "model.tags_set"
    MODEL_TAGS_DELETED = "model.tags_deleted"
    VERSION_CREATED = "version.created"
    VERSION_UPDATED = "version.updated"
    VERSION_DELETED = "version.deleted"
    VERSION_TAGS_SET = "version.tags_set"
    VERSION_TAGS_DELETED = "version.tags_deleted"
    VERSION_FILE_UPLOADED = "version.file_uploaded"
    VERSION_FILES_DELETED = "version.files_deleted"
    VERSION_STAGE_CHANGED = "version.stage_changed"
    TRANSITION_REQUESTED = "version.transition_requested"
    TRANSITION_APPROVED = "version.transition_approved"
    TRANSITION_REJECTED = "version.transition_rejected"
    TRANSITION_CANCELLED = "version.transition_cancelled"
    ALIAS_SET = "model.alias_set"
    ALIAS_DELETED = "model.alias_deleted"
    COMMENT_ADDED = "version.comment_added"
    COMMENT_EDITED = "version.comment_edited"
    COMMENT_DELETED = "version.comment_deleted"
    # A `modelreg serve-model` process began or ended serving the version (payload: endpoint,
    # reference, instance, role, version). Activity and webhooks only, no mail.
    DEPLOYMENT_STARTED = "version.deployment_started"
    DEPLOYMENT_STOPPED = "version.deployment_stopped"
    MEMBER_ADDED = "project.member_added"
    MEMBER_ROLE_CHANGED = "project.member_role_changed"
    MEMBER_REMOVED = "project.member_removed"
    # Webhook management. The secret never appears in a payload.
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_UPDATED = "webhook.updated"
    WEBHOOK_DELETED = "webhook.deleted"
    # Disabled by the delivery worker after repeated failures; mails the webhook's owner.
    WEBHOOK_DISABLED = "webhook.disabled"
    # MLflow tracking. Logged values (params, metrics, tags) and artifact uploads are not events:
    # a training loop logs thousands, which would drown the activity feed.
    EXPERIMENT_CREATED = "experiment.created"
    EXPERIMENT_RENAMED = "experiment.renamed"
    # Deleting or restoring an experiment does the same to its runs: one event, not one a run.
    EXPERIMENT_DELETED = "experiment.deleted"
    EXPERIMENT_RESTORED = "experiment.restored"
    RUN_CREATED = "run.created"
    RUN_UPDATED = "run.updated"
    RUN_DELETED = "run.deleted"
    RUN_RESTORED = "run.restored"
    LOGGED_MODEL_CREATED = "logged_model.created"
    LOGGED_MODEL_FINALIZED = "logged_model.finalized"
    LOGGED_MODEL_DELETED = "logged_model.deleted"
    # Instance-wide (no project). Payloads name users and tokens, never a secret.
    USER_CREATED = "user.created"
    USER_PASSWORD_CHANGED = "user.password_changed"
    TOKEN_CREATED = "user.token_created"
    TOKEN_REVOKED = "user.token_revoked"
