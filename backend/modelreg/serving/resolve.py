"""A reference to the registry version it names now (GraphQL through modelreg.client), and the
deployment records serve-model leaves on the versions it serves."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from modelreg.client import ClientError, RegistryClient, Unreachable, VersionMissing
from modelreg.serving.reference import STAGES, Reference

logger = logging.getLogger("modelreg.serving")

_VERSION_FIELDS = "id version number stage"
_PINNED = f"""
query ServeModelVersion($project: String!, $model: String!, $ref: String!) {{
  project(path: $project) {{
    model(name: $model) {{ version(version: $ref) {{ {_VERSION_FIELDS} }} }}
  }}
}}"""
_ALIAS = f"""
query ServeModelAlias($project: String!, $model: String!, $ref: String!) {{
  project(path: $project) {{
    model(name: $model) {{ versionByAlias(alias: $ref) {{ {_VERSION_FIELDS} }} }}
  }}
}}"""
_STAGE = f"""
query ServeModelStage($project: String!, $model: String!) {{
  project(path: $project) {{ model(name: $model) {{ stageVersions {{ {_VERSION_FIELDS} }} }} }}
}}"""
_RECORD = """
mutation ServeModelRecord($input: RecordDeploymentInput!) {
  recordDeployment(input: $input) { deployment { id } errors { code message field } }
}"""


@dataclass(frozen=True, slots=True)
class Resolved:
    """One registry version: its global id, SemVer and MLflow number."""

    id: str
    project: str
    model: str
    version: str
    number: int


def resolve(client: RegistryClient, reference: Reference) -> Resolved:
    """The version `reference` names now; VersionMissing (with the reason) if none does."""
    variables: dict[str, Any] = {"project": reference.project, "model": reference.model}
    if reference.kind == "stage":
        query = _STAGE
    else:
        variables["ref"] = reference.ref
        query = _PINNED if reference.kind == "version" else _ALIAS
    data = client.graphql(query, variables)
    project = data.get("project")
    if project is None:
        raise VersionMissing(f"No project has the path '{reference.project}'.")
    model = project.get("model")
    if model is None:
        raise VersionMissing(f"Project '{reference.project}' has no model '{reference.model}'.")
    if reference.kind == "stage":
        stage = STAGES[reference.ref.lower()]
        found = next((v for v in model.get("stageVersions") or [] if v["stage"] == stage), None)
        missing = f"No version of '{reference.model}' is in {reference.ref}."
    elif reference.kind == "alias":
        found = model.get("versionByAlias")
        missing = f"Model '{reference.model}' has no alias '{reference.ref}'."
    else:
        found = model.get("version")
        missing = f"Model '{reference.model}' has no version {reference.ref}."
    if found is None:
        raise VersionMissing(missing)
    try:
        return Resolved(
            id=str(found["id"]),
            project=reference.project,
            model=reference.model,
            version=str(found["version"]),
            number=int(found["number"]),
        )
    except (KeyError, TypeError, ValueError):
        raise ClientError("the server's answer about the version is malformed") from None


DeploymentState = Literal["STARTED", "STOPPED"]


class Recorder:
    """Records STARTED/STOPPED on the registry (contract20.md). A refusal or an unreachable
    registry is logged once, at WARNING, with its code and message (never the token), and
    serving goes on. Disabled (`enabled=False`) it does nothing."""

    def __init__(
        self, client: RegistryClient, *, endpoint: str, instance: str, enabled: bool = True
    ) -> None:
        self.client = client
        self.endpoint = endpoint
        self.instance = instance
        self.enabled = enabled
        self.warned = False
        self.recorded: list[tuple[DeploymentState, str, str]] = []
        """(state, version id, role) of every record the registry accepted, in order."""

    def record(self, state: DeploymentState, version: Resolved, reference: str, role: str) -> bool:
        """True when the registry accepted the record (blocking: call off the event loop)."""
        if not self.enabled:
            return False
        payload = {
            "versionId": version.id,
            "state": state,
            "endpoint": self.endpoint,
            "reference": reference[:300],
            "instance": self.instance,
            "role": role,
        }
        try:
            data = self.client.graphql(_RECORD, {"input": payload})
            errors = (data.get("recordDeployment") or {}).get("errors") or []
        except ClientError as exc:
            code = "UNREACHABLE" if isinstance(exc, Unreachable) else "REFUSED"
            errors = [{"code": code, "message": exc.message}]
        if errors:
            if not self.warned:
                self.warned = True
                first = errors[0]
                logger.warning(
                    "deployment record refused (%s: %s); serving goes on without records",
                    first.get("code"),
                    first.get("message"),
                )
            return False
        self.recorded.append((state, version.id, role))
        return True
