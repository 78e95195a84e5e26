"""Tables of export/import (services/transfer): this instance's identity, and the origin map
that ties rows imported from another instance to their ids there."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from modelreg.db.types import UTCDateTime, utcnow


class InstanceIdentity(SQLModel, table=True):
    """One row: the id archives written here carry as their source (made on first export)."""

    __tablename__ = "instance_identity"

    id: int | None = Field(default=None, primary_key=True)
    instance_id: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TransferOrigin(SQLModel, table=True):
    """Source instance + kind + source id -> the target row made from it. Written in the
    transaction that writes the row: a re-run skips what is done, an incremental archive updates
    rows an earlier import made, and a row not in this map is never overwritten by an import."""

    __tablename__ = "transfer_origin"
    __table_args__ = (
        sa.UniqueConstraint("source_instance", "kind", "source_id"),
        sa.Index(None, "kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_instance: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    source_id: str = Field(max_length=64)
    target_id: int
