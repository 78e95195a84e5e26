"""Where a version came from, read from its `modelreg.*` tags (set by CI or the MLflow client).

modelreg.version        the SemVer string for a version created through MLflow
modelreg.requested_version  the SemVer a copied version asked for when it was taken (it got the
                        next patch instead; see `registry_version_of`)
modelreg.ci_job_id      CI job id            modelreg.ci_job_url     link to the job
modelreg.ci_pipeline    pipeline id or URL   modelreg.merge_request  merge request id or URL
modelreg.commit         the commit the model was trained from
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

VERSION_TAG = "modelreg.version"
REQUESTED_VERSION_TAG = "modelreg.requested_version"
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


REGISTRY_SCHEME = "models:/"


def registry_version_of(source: str) -> tuple[str, int] | None:
    """The (model name, version number) a `models:/<name>/<number>` source names: how MLflow's
    `copy_model_version` says which version a new one copies. None for anything else."""
    text = (source or "").strip()
    if not text.lower().startswith(REGISTRY_SCHEME):
        return None
    name, _, number = text[len(REGISTRY_SCHEME) :].rpartition("/")
    if not name or not (number.isascii() and number.isdigit()) or len(number) > 18:
        return None
    return name, int(number)
