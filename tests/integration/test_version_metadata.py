"""Model metadata read from a version's files (through the file routes, GraphQL and the MLflow
registry), the SemVer guard's verdicts, and what OFF, WARN and ENFORCE do."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Event, VersionMetadata
from tests.support.authz import snapshot
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version

MLFLOW = "/projects/demo/mlflow/api/2.0"
BASE_INPUTS = {"age": "long", "income": "double"}


def mlmodel(
    inputs: dict[str, str] | None = None,
    *,
    optional: tuple[str, ...] = (),
    outputs: dict[str, str] | None = None,
) -> bytes:
    """An MLmodel file as `mlflow.sklearn.save_model` writes it, with this signature."""
    columns = [
        {"type": t, "name": n, "required": n not in optional}
        for n, t in (inputs or BASE_INPUTS).items()
    ]
    results = [
        {"type": t, "name": n, "required": True} for n, t in (outputs or {"p": "double"}).items()
    ]
    return (
        "artifact_path: model\n"
        "flavors:\n"
        "  python_function:\n"
        "    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n"
        "    loader_module: mlflow.sklearn\n"
        "    python_version: 3.11.9\n"
        "  sklearn:\n    pickled_model: model.pkl\n    sklearn_version: 1.5.2\n"
        "mlflow_version: 2.17.2\n"
        "model_uuid: 0f1e2d3c\n"
        "signature:\n"
        f"  inputs: '{json.dumps(columns)}'\n"
        f"  outputs: '{json.dumps(results)}'\n"
        "  params: null\n"
    ).encode()


REQUIREMENTS = b"mlflow==2.17.2\nscikit-learn==1.5.2\npandas\n"
CONDA = (
    b"channels:\n- defaults\ndependencies:\n- python=3.11.9\n- pip\n- pip:\n  - mlflow==2.17.2\n"
)

VERSION_METADATA = """
query($p: String!, $m: String!, $v: String!) {
  project(path: $p) { model(name: $m) { version(version: $v) {
    id
    signature { inputs { name type shape optional } outputs { name type } params { name } }
    dependencies {
      root mlmodelPath flavors pythonVersion mlflowVersion runtime { key value }
      condaChannels packages { name requirement specifier version pinned sources }
      files warnings { code file message }
    }
    metadataWarnings { code file message }
    compatibility {
      version previousVersion declaredBump requiredBump verdict suggestedVersion guard warning
      isPrerelease reasons { kind column bump message before { name type } after { name } }
    }
  } } }
}"""

UPDATE_PROJECT = f"""
mutation($input: UpdateProjectInput!) {{
  updateProject(input: $input) {{ project {{ semverGuard }} {ERRORS} }}
}}"""


def files_url(version: str, path: str, model: str = "churn") -> str:
    return f"/api/v1/projects/demo/models/{model}/versions/{version}/files/{path}"


async def put(http: httpx.AsyncClient, version: str, path: str, content: bytes) -> httpx.Response:
    return await http.put(files_url(version, path), content=content)


async def version_data(gql: GraphQLClient, version: str, model: str = "churn") -> dict[str, Any]:
    data = await gql.execute(VERSION_METADATA, {"p": "demo", "m": model, "v": version})
    found: dict[str, Any] = data["project"]["model"]["version"]
    return found


async def set_guard(gql: GraphQLClient, project_id: str, guard: str) -> None:
    data = await gql.execute(UPDATE_PROJECT, {"input": {"id": project_id, "semverGuard": guard}})
    assert data["updateProject"]["errors"] == []
    assert data["updateProject"]["project"]["semverGuard"] == guard


@pytest.fixture
async def model(gql: GraphQLClient) -> dict[str, Any]:
    project = await create_project(gql)
    found = await create_model(gql, project["id"], "churn")
    found["project_id"] = project["id"]
    return found


async def _metadata_rows(db: Database) -> dict[int, dict[str, Any]]:
    async with db.read() as session:
        return {r.version_id: r.document for r in await session.exec(select(VersionMetadata))}


# ------------------------------------------------------------------------------ reading


async def test_metadata_is_read_on_upload_replaced_and_removed(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database, model: dict[str, Any]
) -> None:
    await create_version(gql, model["id"], "1.0.0")
    empty = await version_data(gql, "1.0.0")
    assert (empty["signature"], empty["dependencies"], empty["metadataWarnings"]) == (
        None,
        None,
        [],
    )

    # when: the files mlflow.sklearn.save_model writes, in a subfolder
    for path, content in (
        ("model/MLmodel", mlmodel()),
        ("model/requirements.txt", REQUIREMENTS),
        ("model/conda.yaml", CONDA),
        ("model/model.pkl", b"pickle"),
    ):
        assert (await put(http, "1.0.0", path, content)).status_code == 201

    # then
    found = await version_data(gql, "1.0.0")
    assert found["signature"] == {
        "inputs": [
            {"name": "age", "type": "long", "shape": None, "optional": False},
            {"name": "income", "type": "double", "shape": None, "optional": False},
        ],
        "outputs": [{"name": "p", "type": "double"}],
        "params": [],
    }
    deps = found["dependencies"]
    assert deps["root"] == "model" and deps["mlmodelPath"] == "model/MLmodel"
    assert deps["flavors"] == ["python_function", "sklearn"]
    assert (deps["pythonVersion"], deps["mlflowVersion"]) == ("3.11.9", "2.17.2")
    assert {"key": "model_uuid", "value": "0f1e2d3c"} in deps["runtime"]
    assert deps["condaChannels"] == ["defaults"]
    packages = {p["name"]: p for p in deps["packages"]}
    assert packages["scikit-learn"]["version"] == "1.5.2" and packages["scikit-learn"]["pinned"]
    assert packages["pandas"]["pinned"] is False
    assert packages["mlflow"]["sources"] == ["REQUIREMENTS", "CONDA_PIP"]
    assert set(deps["files"]) == {"model/requirements.txt", "model/conda.yaml"}
    codes = {w["code"] for w in found["metadataWarnings"]}
    assert {"UNPINNED_REQUIREMENT", "CONDA_DEFAULTS_CHANNEL", "MISSING_DEPENDENCY_FILE"} <= codes
    assert found["metadataWarnings"] == deps["warnings"]

    # when: the MLmodel is uploaded again with another signature
    changed = mlmodel({**BASE_INPUTS, "region": "string"}, optional=("region",))
    assert (await put(http, "1.0.0", "model/MLmodel", changed)).status_code == 201
    found = await version_data(gql, "1.0.0")
    assert [c["name"] for c in found["signature"]["inputs"]] == ["age", "income", "region"]
    assert found["signature"]["inputs"][2]["optional"] is True

    # when: a dependency file is deleted (GraphQL), then the MLmodel (file route)
    deleted = await gql.execute(
        f"""mutation($input: DeleteFilesInput!) {{ deleteFiles(input: $input) {{
              modelVersion {{ dependencies {{ files }} signature {{ inputs {{ name }} }} }}
              {ERRORS} }} }}""",
        {"input": {"versionId": found["id"], "paths": ["model/requirements.txt"]}},
    )
    assert deleted["deleteFiles"]["errors"] == []
    after = deleted["deleteFiles"]["modelVersion"]
    assert after["dependencies"] == {"files": ["model/conda.yaml"]}
    assert len(after["signature"]["inputs"]) == 3
    assert (await http.delete(files_url("1.0.0", "model/MLmodel"))).status_code == 204
    found = await version_data(gql, "1.0.0")
    # Without an MLmodel, only dependency files at the version's root count: none here.
    assert (found["signature"], found["dependencies"], found["metadataWarnings"]) == (
        None,
        None,
        [],
    )
    assert await _metadata_rows(db) == {}


async def test_a_malformed_mlmodel_is_a_warning_and_the_upload_succeeds(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    await create_version(gql, model["id"], "1.0.0")
    response = await put(http, "1.0.0", "MLmodel", b"flavors: [unclosed\n  signature: {")
    assert response.status_code == 201, response.text
    assert (await put(http, "1.0.0", "requirements.txt", b"\xff\xfe not text")).status_code == 201
    found = await version_data(gql, "1.0.0")
    assert found["signature"] is None
    malformed = [w for w in found["metadataWarnings"] if w["code"] == "MALFORMED_FILE"]
    assert {w["file"] for w in malformed} == {"MLmodel", "requirements.txt"}
    assert all(w["message"] for w in malformed)
    assert found["compatibility"]["verdict"] == "FIRST_RELEASE"


async def test_files_that_are_not_metadata_do_not_touch_it(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database, model: dict[str, Any]
) -> None:
    await create_version(gql, model["id"], "1.0.0")
    assert (await put(http, "1.0.0", "weights/MLmodel.bak", b"x")).status_code == 201
    assert (await put(http, "1.0.0", "notes.txt", b"x")).status_code == 201
    assert await _metadata_rows(db) == {}


# ------------------------------------------------------------------------------ MLflow path


async def _run_with_model(http: httpx.AsyncClient, files: dict[str, bytes]) -> str:
    created = await http.post(f"{MLFLOW}/mlflow/runs/create", json={})
    assert created.status_code == 200, created.text
    run_id: str = created.json()["run"]["info"]["run_id"]
    for path, content in files.items():
        response = await http.put(
            f"{MLFLOW}/mlflow-artifacts/artifacts/0/{run_id}/artifacts/model/{path}",
            content=content,
        )
        assert response.status_code == 200, response.text
    return run_id


async def _mlflow_version(
    http: httpx.AsyncClient, run_id: str, version: str | None = None
) -> httpx.Response:
    tags = [{"key": "modelreg.version", "value": version}] if version else []
    return await http.post(
        f"{MLFLOW}/mlflow/model-versions/create",
        json={"name": "churn", "source": f"runs:/{run_id}/model", "run_id": run_id, "tags": tags},
    )


async def test_metadata_is_read_when_mlflow_registers_a_run(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    run_id = await _run_with_model(
        http, {"MLmodel": mlmodel(), "requirements.txt": REQUIREMENTS, "model.pkl": b"p"}
    )
    response = await _mlflow_version(http, run_id)
    assert response.status_code == 200, response.text
    found = await version_data(gql, "1.0.0")
    assert [c["name"] for c in found["signature"]["inputs"]] == ["age", "income"]
    assert found["dependencies"]["root"] == ""
    assert found["dependencies"]["files"] == ["requirements.txt"]


async def test_enforce_refuses_an_mlflow_version_numbered_too_small(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database, model: dict[str, Any]
) -> None:
    first = await _run_with_model(http, {"MLmodel": mlmodel()})
    assert (await _mlflow_version(http, first)).status_code == 200
    await set_guard(gql, model["project_id"], "ENFORCE")
    second = await _run_with_model(http, {"MLmodel": mlmodel({**BASE_INPUTS, "region": "string"})})
    before = await snapshot(db)

    # when: numbered as the next patch, as the MLflow client's versions are
    refused = await _mlflow_version(http, second)

    # then
    assert refused.status_code == 400
    body = refused.json()
    assert body["error_code"] == "INVALID_STATE"
    assert "1.0.1" in body["message"] and "2.0.0" in body["message"]
    assert "modelreg.version" in body["message"]
    assert await snapshot(db) == before
    # The number the guard asks for is accepted.
    accepted = await _mlflow_version(http, second, "2.0.0")
    assert accepted.status_code == 200, accepted.text
    assert (await version_data(gql, "2.0.0"))["compatibility"]["verdict"] == "OK"


# ------------------------------------------------------------------------------ verdicts


async def test_compatibility_across_versions_and_the_guard_settings(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    # given: 1.0.0; 1.1.0 adds an optional input; 1.1.1 adds a required one; 1.2.0 has no MLmodel
    for version, content in (
        ("1.0.0", mlmodel()),
        ("1.1.0", mlmodel({**BASE_INPUTS, "region": "string"}, optional=("region",))),
        ("1.1.1", mlmodel({**BASE_INPUTS, "region": "string", "tenure": "long"})),
    ):
        await create_version(gql, model["id"], version)
        assert (await put(http, version, "MLmodel", content)).status_code == 201
    await create_version(gql, model["id"], "1.2.0")
    await create_version(gql, model["id"], "2.0.0-rc.1")

    first = (await version_data(gql, "1.0.0"))["compatibility"]
    minor = (await version_data(gql, "1.1.0"))["compatibility"]
    patch = (await version_data(gql, "1.1.1"))["compatibility"]
    unknown = (await version_data(gql, "1.2.0"))["compatibility"]
    rc = (await version_data(gql, "2.0.0-rc.1"))["compatibility"]

    assert (first["verdict"], first["previousVersion"], first["warning"]) == (
        "FIRST_RELEASE",
        None,
        None,
    )
    assert (minor["verdict"], minor["declaredBump"], minor["requiredBump"]) == (
        "OK",
        "MINOR",
        "MINOR",
    )
    assert minor["previousVersion"] == "1.0.0" and minor["warning"] is None
    assert [(r["kind"], r["column"], r["bump"]) for r in minor["reasons"]] == [
        ("INPUT_ADDED_OPTIONAL", "region", "MINOR")
    ]
    assert patch["verdict"] == "TOO_SMALL" and patch["guard"] == "WARN"
    assert (patch["previousVersion"], patch["declaredBump"], patch["requiredBump"]) == (
        "1.1.0",
        "PATCH",
        "MAJOR",
    )
    assert patch["suggestedVersion"] == "2.0.0"
    assert [(r["kind"], r["column"]) for r in patch["reasons"]] == [
        ("INPUT_NOW_REQUIRED", "region"),
        ("INPUT_ADDED_REQUIRED", "tenure"),
    ] or {(r["kind"], r["column"]) for r in patch["reasons"]} == {
        ("INPUT_NOW_REQUIRED", "region"),
        ("INPUT_ADDED_REQUIRED", "tenure"),
    }
    assert "1.1.1" in patch["warning"] and "2.0.0" in patch["warning"]
    assert unknown["verdict"] == "UNKNOWN" and "1.2.0" in unknown["warning"]
    assert rc["isPrerelease"] is True and rc["previousVersion"] == "1.2.0"

    # OFF: the same verdicts, nothing to say
    await set_guard(gql, model["project_id"], "OFF")
    off = (await version_data(gql, "1.1.1"))["compatibility"]
    assert (off["verdict"], off["guard"], off["warning"]) == ("TOO_SMALL", "OFF", None)
    # ENFORCE: the refusal sentence
    await set_guard(gql, model["project_id"], "ENFORCE")
    enforced = (await version_data(gql, "1.1.1"))["compatibility"]
    assert enforced["guard"] == "ENFORCE" and "2.0.0" in enforced["warning"]


async def test_enforce_refuses_an_upload_that_makes_the_number_too_small(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database, model: dict[str, Any]
) -> None:
    await create_version(gql, model["id"], "1.0.0")
    assert (await put(http, "1.0.0", "MLmodel", mlmodel())).status_code == 201
    await create_version(gql, model["id"], "1.0.1")
    breaking = mlmodel({**BASE_INPUTS, "tenure": "long"})

    # WARN: accepted, with a warning
    assert (await put(http, "1.0.1", "MLmodel", breaking)).status_code == 201
    assert (await version_data(gql, "1.0.1"))["compatibility"]["verdict"] == "TOO_SMALL"
    assert (await http.delete(files_url("1.0.1", "MLmodel"))).status_code == 204

    # ENFORCE: refused, nothing recorded, nothing left in storage
    await set_guard(gql, model["project_id"], "ENFORCE")
    before = await snapshot(db)
    refused = await put(http, "1.0.1", "MLmodel", breaking)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "CONFLICT"
    assert "1.0.1" in error["message"] and "2.0.0" in error["message"]
    assert await snapshot(db) == before
    # A new output needs a MINOR bump: refused too; the same signature is accepted.
    more = mlmodel(outputs={"p": "double", "score": "double"})
    assert (await put(http, "1.0.1", "MLmodel", more)).status_code == 409
    assert (await put(http, "1.0.1", "MLmodel", mlmodel())).status_code == 201
    assert (await version_data(gql, "1.0.1"))["compatibility"]["verdict"] == "OK"

    # A deletion that makes the number too small (a breaking MLmodel in a subfolder becomes
    # the model's) is refused as well.
    assert (await put(http, "1.0.1", "sub/MLmodel", breaking)).status_code == 201
    before = await snapshot(db)
    refused = await http.delete(files_url("1.0.1", "MLmodel"))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "CONFLICT"
    assert await snapshot(db) == before


async def test_enforce_does_not_block_a_version_that_was_too_small_before(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    """Switching to ENFORCE does not lock versions numbered too small under WARN: files that
    do not make it worse are still accepted."""
    await create_version(gql, model["id"], "1.0.0")
    assert (await put(http, "1.0.0", "MLmodel", mlmodel())).status_code == 201
    await create_version(gql, model["id"], "1.0.1")
    breaking = mlmodel({**BASE_INPUTS, "tenure": "long"})
    assert (await put(http, "1.0.1", "MLmodel", breaking)).status_code == 201
    await set_guard(gql, model["project_id"], "ENFORCE")

    assert (await put(http, "1.0.1", "requirements.txt", REQUIREMENTS)).status_code == 201
    assert (await put(http, "1.0.1", "MLmodel", breaking)).status_code == 201
    found = await version_data(gql, "1.0.1")
    assert found["compatibility"]["verdict"] == "TOO_SMALL"
    assert found["dependencies"]["files"] == ["requirements.txt"]


# ------------------------------------------------------------------------------ prereleases

TRANSITION = f"""
mutation($input: TransitionStageInput!) {{
  transitionStage(input: $input) {{ modelVersion {{ stage }} {ERRORS} }}
}}"""
REQUEST = f"""
mutation($input: RequestTransitionInput!) {{
  requestTransition(input: $input) {{ transitionRequest {{ id }} {ERRORS} }}
}}"""
APPROVE = f"""
mutation($input: ApproveTransitionRequestInput!) {{
  approveTransitionRequest(input: $input) {{ transitionRequest {{ status }} {ERRORS} }}
}}"""


async def test_enforce_keeps_prereleases_out_of_production(
    gql: GraphQLClient, db: Database, model: dict[str, Any]
) -> None:
    rc = await create_version(gql, model["id"], "2.0.0-rc.1")
    # Requested under WARN; approving it after the switch to ENFORCE is refused.
    requested = await gql.execute(
        REQUEST, {"input": {"versionId": rc["id"], "stage": "PRODUCTION"}}
    )
    request_id = requested["requestTransition"]["transitionRequest"]["id"]
    await set_guard(gql, model["project_id"], "ENFORCE")
    before = await snapshot(db)

    moved = await gql.execute(TRANSITION, {"input": {"versionId": rc["id"], "stage": "PRODUCTION"}})
    approved = await gql.execute(APPROVE, {"input": {"id": request_id}})
    again = await gql.execute(REQUEST, {"input": {"versionId": rc["id"], "stage": "PRODUCTION"}})

    for payload in (
        moved["transitionStage"],
        approved["approveTransitionRequest"],
        again["requestTransition"],
    ):
        [error] = payload["errors"]
        assert error["code"] == "CONFLICT"
        assert "prerelease" in error["message"] and "2.0.0-rc.1" in error["message"]
    assert await snapshot(db) == before
    # Staging is fine, and under WARN so is Production.
    staged = await gql.execute(TRANSITION, {"input": {"versionId": rc["id"], "stage": "STAGING"}})
    assert staged["transitionStage"]["errors"] == []
    await set_guard(gql, model["project_id"], "WARN")
    approved = await gql.execute(APPROVE, {"input": {"id": request_id}})
    assert approved["approveTransitionRequest"]["errors"] == []
    assert approved["approveTransitionRequest"]["transitionRequest"]["status"] == "APPROVED"


# ------------------------------------------------------------------------------ the setting


async def test_only_an_owner_sets_the_guard(
    gql: GraphQLClient, db: Database, model: dict[str, Any]
) -> None:
    project_id = model["project_id"]
    assert gql.accounts is not None
    for username, role in (("mara", "MAINTAINER"), ("olga", "OWNER")):
        await gql.accounts.user(username)
        added = await gql.execute(
            f"""mutation($p: ID!, $u: String!, $r: Role!) {{ addProjectMember(input:
                  {{projectId: $p, username: $u, role: $r}}) {{ {ERRORS} }} }}""",
            {"p": project_id, "u": username, "r": role},
        )
        assert added["addProjectMember"]["errors"] == []
    variables = {"input": {"id": project_id, "semverGuard": "ENFORCE"}}

    denied = await gql.as_actor("mara", admin=False).execute(UPDATE_PROJECT, variables)
    [error] = denied["updateProject"]["errors"]
    assert error["code"] == "PERMISSION_DENIED" and "OWNER" in error["message"]
    allowed = await gql.as_actor("olga", admin=False).execute(UPDATE_PROJECT, variables)
    assert allowed["updateProject"] == {"project": {"semverGuard": "ENFORCE"}, "errors": []}

    async with db.read() as session:
        events = list(await session.exec(select(Event).where(Event.type == "project.updated")))
    assert events[-1].payload == {"changes": {"semver_guard": {"from": "WARN", "to": "ENFORCE"}}}
    assert events[-1].actor == "olga"


# ------------------------------------------------------------------------------ checkVersion

CHECK = """
query($p: String!, $v: String, $t: String) {
  project(path: $p) { model(name: "churn") { checkVersion(version: $v, mlmodel: $t) {
    version previousVersion declaredBump requiredBump verdict suggestedVersion guard warning
    isPrerelease reasons { kind column }
  } } }
}"""


async def test_check_version_before_the_version_exists(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    await create_version(gql, model["id"], "1.0.0")
    assert (await put(http, "1.0.0", "MLmodel", mlmodel())).status_code == 201
    await create_version(gql, model["id"], "1.1.0-rc.1")
    breaking = mlmodel({**BASE_INPUTS, "tenure": "long"}).decode()

    async def check(version: str | None, text: str | None) -> dict[str, Any]:
        data = await gql.execute(CHECK, {"p": "demo", "v": version, "t": text})
        found: dict[str, Any] = data["project"]["model"]["checkVersion"]
        return found

    typed = await check("1.0.1", breaking)
    assert (typed["version"], typed["previousVersion"], typed["verdict"]) == (
        "1.0.1",
        "1.0.0",
        "TOO_SMALL",
    )
    assert (typed["declaredBump"], typed["requiredBump"], typed["suggestedVersion"]) == (
        "PATCH",
        "MAJOR",
        "2.0.0",
    )
    assert typed["reasons"] == [{"kind": "INPUT_ADDED_REQUIRED", "column": "tenure"}]
    assert typed["warning"] and typed["guard"] == "WARN"
    # Nothing typed yet: assessed as the next patch; the suggestion says what to use.
    untyped = await check(None, breaking)
    assert (untyped["version"], untyped["suggestedVersion"]) == ("1.0.1", "2.0.0")
    assert (await check("", breaking))["version"] == "1.0.1"
    assert (await check("2.0.0", breaking))["verdict"] == "OK"
    assert (await check("1.0.1", mlmodel().decode()))["verdict"] == "OK"
    assert (await check("1.0.1", None))["verdict"] == "UNKNOWN"
    assert (await check("2.0.0-rc.2", None))["isPrerelease"] is True
    [error] = await gql.errors(CHECK, {"p": "demo", "v": "one", "t": None})
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "field": "version"}
    malformed = await check("1.0.1", "flavors: [")
    assert malformed["verdict"] == "UNKNOWN"


async def test_the_previous_release_skips_prereleases_and_later_versions(
    gql: GraphQLClient, model: dict[str, Any]
) -> None:
    # Registered out of order: 1.1.0 comes after 2.0.0 and after its own release candidate.
    for version in ("1.0.0", "1.1.0-rc.1", "2.0.0", "1.1.0", "0.9.0"):
        await create_version(gql, model["id"], version)
    previous = {
        version: (await version_data(gql, version))["compatibility"]["previousVersion"]
        for version in ("0.9.0", "1.0.0", "1.1.0-rc.1", "1.1.0", "2.0.0")
    }
    assert previous == {
        "0.9.0": None,
        "1.0.0": "0.9.0",
        "1.1.0-rc.1": "1.0.0",
        "1.1.0": "1.0.0",
        "2.0.0": "1.1.0",
    }
