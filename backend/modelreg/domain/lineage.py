"""Where a version came from, read from its `modelreg.*` tags (set by CI or the MLflow client).

modelreg.version        the SemVer string for a version created through MLflow
modelreg.ci_job_id      CI job id            modelreg.ci_job_url     link to the job
modelreg.ci_pipeline    pipeline id or URL   modelreg.merge_request  merge request id or URL
modelreg.commit         the commit the model was trained from
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

VERSION_TAG = "modelreg.version"
LINEAGE_TAGS = {
    "ci_job_id": "modelreg.ci_job_id",
    "ci_job_url": "modelreg.ci_job_url",
    "pipeline": "modelreg.ci_pipeline",
    "merge_request": "modelreg.merge_request",
    "commit": "modelreg.commit",
}


@dataclass(frozen=True, slots=True)
class Lineage:
    ci_job_id: str | None = None
    ci_job_url: str | None = None
    pipeline: str | None = None
    merge_request: str | None = None
    commit: str | None = None


def lineage_from_tags(tags: Mapping[str, str]) -> Lineage:
    return Lineage(**{field: tags.get(tag) or None for field, tag in LINEAGE_TAGS.items()})
