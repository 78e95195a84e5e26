"""Experiments and runs in GraphQL, for their web pages: `Project.experiments`,
`Project.experiment(id)` with its runs, `Project.run(runId)` with its experiment, files and
the versions registered from it; unknown ids are null, other projects stay hidden."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry import relay

from modelreg.db import Database
from modelreg.domain.actor import SYSTEM
from modelreg.domain.policy import Role
from modelreg.services import members as member_service
from modelreg.services import versions as version_service
from tests.support.accounts import Accounts
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project


def _api(project: str) -> str:
    return f"/projects/{project}/mlflow/api/2.0/mlflow"


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _experiment(http: httpx.AsyncClient, name: str, project: str = "demo") -> str:
    found: str = _ok(await http.post(f"{_api(project)}/experiments/create", json={"name": name}))[
        "experiment_id"
    ]
    return found


async def _run(
    http: httpx.AsyncClient, experiment_id: str, name: str, start: int, project: str = "demo"
) -> str:
    run = _ok(
        await http.post(
            f"{_api(project)}/runs/create",
            json={"experiment_id": experiment_id, "run_name": name, "start_time": start},
        )
    )["run"]
    run_id: str = run["info"]["run_id"]
    return run_id


async def _register(http: httpx.AsyncClient, project: str, model: str, run_id: str) -> str:
    api = _api(project)
    await http.post(f"{api}/registered-models/create", json={"name": model})
    created = _ok(
        await http.post(
            f"{api}/model-versions/create",
            json={"name": model, "source": f"runs:/{run_id}/model", "run_id": run_id},
        )
    )["model_version"]
    version: str = created["aliases"][0]  # the SemVer string
    return version


EXPERIMENTS = """
query($first: Int, $after: String) { project(path: "demo") {
  experiments(first: $first, after: $after) {
    totalCount
    edges { cursor node { experimentId name runCount lastRunStartTime } }
    pageInfo { hasNextPage endCursor }
  }
} }"""

EXPERIMENT = """
query($id: String!, $first: Int, $after: String) { project(path: "demo") {
  experiment(id: $id) {
    experimentId name createdBy runCount
    runs(first: $first, after: $after) {
      totalCount
      edges { node { runId name status startTime metrics { key value } } }
      pageInfo { hasNextPage endCursor }
    }
  }
} }"""

RUN = """
query($path: String!, $id: String!) { project(path: $path) {
  run(runId: $id) {
    runId name
    experiment { experimentId name }
    params { key value }
    modelVersions { version model { name project { path } } }
    artifacts { files { path size } truncated }
  }
} }"""


async def test_experiments_list_newest_first_with_their_run_counts(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    # given
    await create_project(gql)
    await _run(http, "0", "in-default", 1_700_000_000_000)
    older = await _experiment(http, "older")
    newer = await _experiment(http, "newer")
    await _run(http, newer, "a", 1_700_000_001_000)
    await _run(http, newer, "b", 1_700_000_002_000)

    # when
    first = (await gql.execute(EXPERIMENTS, {"first": 2}))["project"]["experiments"]
    rest = (await gql.execute(EXPERIMENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "project"
    ]["experiments"]

    # then
    assert first["totalCount"] == 3
    nodes = [e["node"] for e in first["edges"] + rest["edges"]]
    assert [n["name"] for n in nodes] == ["newer", "older", "Default"]
    assert [n["experimentId"] for n in nodes] == [newer, older, "0"]
    assert [n["runCount"] for n in nodes] == [2, 0, 1]
    assert nodes[0]["lastRunStartTime"].startswith("2023-11-14T22:13:22")
    assert nodes[1]["lastRunStartTime"] is None
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_an_experiment_lists_its_runs_newest_start_first_page_by_page(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    # given
    await create_project(gql)
    experiment = await _experiment(http, "churn")
    other = await _experiment(http, "other")
    await _run(http, other, "elsewhere", 1_700_000_009_000)
    names = ["r1", "r2", "r3"]
    ids = [await _run(http, experiment, n, 1_700_000_000_000 + i) for i, n in enumerate(names)]
    _ok(
        await http.post(
            f"{_api('demo')}/runs/log-metric",
            json={"run_id": ids[2], "key": "acc", "value": 0.9, "timestamp": 1, "step": 0},
        )
    )

    # when
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gql.execute(EXPERIMENT, {"id": experiment, "first": 2, "after": after})
        found = data["project"]["experiment"]
        seen += [e["node"] for e in found["runs"]["edges"]]
        if not found["runs"]["pageInfo"]["hasNextPage"]:
            break
        after = found["runs"]["pageInfo"]["endCursor"]

    # then
    assert found["name"] == "churn" and found["experimentId"] == experiment
    assert found["runCount"] == 3 and found["runs"]["totalCount"] == 3
    assert [r["name"] for r in seen] == ["r3", "r2", "r1"]
    assert [r["runId"] for r in seen] == ids[::-1]
    assert seen[0]["metrics"] == [{"key": "acc", "value": 0.9}]
    assert seen[0]["status"] == "RUNNING"


async def test_a_run_shows_its_experiment_files_and_the_versions_registered_from_it(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    # given
    await create_project(gql)
    experiment = await _experiment(http, "churn")
    run_id = await _run(http, experiment, "train", 1_700_000_000_000)
    _ok(
        await http.post(
            f"{_api('demo')}/runs/log-parameter",
            json={"run_id": run_id, "key": "lr", "value": "0.1"},
        )
    )
    artifacts = f"/projects/demo/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run_id}"
    _ok(await http.put(f"{artifacts}/artifacts/model/MLmodel", content=b"flavors: {}\n"))
    _ok(await http.put(f"{artifacts}/artifacts/model/model.pkl", content=b"x" * 10))
    version = await _register(http, "demo", "churn-model", run_id)

    # when
    found = (await gql.execute(RUN, {"path": "demo", "id": run_id}))["project"]["run"]

    # then
    assert found["runId"] == run_id and found["name"] == "train"
    assert found["experiment"] == {"experimentId": experiment, "name": "churn"}
    assert found["params"] == [{"key": "lr", "value": "0.1"}]
    assert found["modelVersions"] == [
        {"version": version, "model": {"name": "churn-model", "project": {"path": "demo"}}}
    ]
    assert found["artifacts"] == {
        "files": [{"path": "model/MLmodel", "size": 12}, {"path": "model/model.pkl", "size": 10}],
        "truncated": False,
    }


async def test_unknown_or_foreign_ids_are_null(gql: GraphQLClient, http: httpx.AsyncClient) -> None:
    # given
    await create_project(gql)
    await create_project(gql, "other")
    foreign_experiment = await _experiment(http, "theirs", project="other")
    foreign_run = await _run(http, foreign_experiment, "theirs", 1, project="other")
    query = """query($run: String!, $exp: String!) { project(path: "demo") {
      run(runId: $run) { runId } experiment(id: $exp) { name } } }"""

    # when
    cases = [
        ("0" * 32, "12345"),
        ("not-a-run", "not-a-number"),
        (foreign_run, foreign_experiment),  # they exist, in another project
    ]
    found = [(await gql.execute(query, {"run": r, "exp": e}))["project"] for r, e in cases]

    # then
    assert found == [{"run": None, "experiment": None}] * 3


async def test_versions_in_projects_the_viewer_may_not_read_are_left_out(
    gql: GraphQLClient, http: httpx.AsyncClient, accounts: Accounts, db: Database
) -> None:
    # given: a run in "demo", registered in "demo" and (by naming its id) in private "other"
    project = await create_project(gql)
    other_project = await create_project(gql, "other")
    project_pk = int(relay.GlobalID.from_id(project["id"]).node_id)
    run_id = await _run(http, "0", "train", 1_700_000_000_000)
    mine = await _register(http, "demo", "churn", run_id)
    other = await create_model(gql, other_project["id"], "secret")
    async with db.begin() as session:  # a client may name any run id when it registers
        row = await version_service.create_version(
            session,
            actor=SYSTEM,
            model_id=int(relay.GlobalID.from_id(other["id"]).node_id),
            version="9.0.0",
            run_uuid=run_id,
        )
    theirs = row.version
    await accounts.user("reader")
    await accounts.user("outsider")
    async with db.begin() as session:
        await member_service.add_member(
            session, actor=SYSTEM, project_id=project_pk, username="reader", role=Role.REPORTER
        )
    variables = {"path": "demo", "id": run_id}

    # when
    admin = (await gql.execute(RUN, variables))["project"]["run"]["modelVersions"]
    reader = (await gql.as_actor("reader", admin=False).execute(RUN, variables))["project"]
    outsider = (await gql.as_actor("outsider", admin=False).execute(RUN, variables))["project"]

    # then
    assert [v["version"] for v in admin] == [mine, theirs]
    assert [v["model"]["name"] for v in reader["run"]["modelVersions"]] == ["churn"]
    assert outsider is None  # a private project: nothing of it, its runs included


async def test_the_default_experiment_is_there_before_its_first_run(gql: GraphQLClient) -> None:
    await create_project(gql)

    data = await gql.execute(EXPERIMENT, {"id": "0", "first": 5})

    found = data["project"]["experiment"]
    assert found["experimentId"] == "0" and found["name"] == "Default"
    assert found["runCount"] == 0
    assert found["runs"]["totalCount"] == 0 and found["runs"]["edges"] == []
