"""`RegisteredModel.stageVersions`: which versions are in Production and Staging, for the model
header and the models table ("Production: 1.4.0 · Staging: 1.5.0-rc.1").

One DataLoader batch (`Loaders.stage_versions`), so a page of 50 models costs one statement.
"""

from __future__ import annotations

from typing import Protocol

from modelreg.graphql.context import Info
from modelreg.graphql.version_node import ModelVersionNode


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


async def model_stage_versions(root: _HasId, info: Info) -> list[ModelVersionNode]:
    """Production versions first, then Staging, highest SemVer precedence first in each."""
    found = await info.context.loaders.stage_versions.load(root.id) or []
    for row in found:
        if row.id is not None:
            info.context.loaders.version.prime(row.id, row)
    return [ModelVersionNode.from_row(row) for row in found]
