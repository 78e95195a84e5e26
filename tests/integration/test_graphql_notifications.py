"""Notification settings and follows through GraphQL, on both engines."""

from __future__ import annotations

from typing import Any

from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version

ERRORS = "errors { code field message }"

VIEWER = "query { viewer { email notificationLevel } }"
SET_EMAIL = f"""
mutation($email: String!) {{
  setEmail(input: {{email: $email}}) {{ email notificationLevel {ERRORS} }}
}}"""
SET_DEFAULT = f"""
mutation($level: NotificationLevel!) {{
  updateNotificationSettings(input: {{level: $level}}) {{ email notificationLevel {ERRORS} }}
}}"""
SET_MODEL_LEVEL = f"""
mutation($model: ID!, $level: NotificationLevel) {{
  setModelNotificationLevel(input: {{modelId: $model, level: $level}}) {{
    model {{ name viewerNotificationLevel {{ level explicit }} }}
    level {{ level explicit }} {ERRORS}
  }}
}}"""
MODEL_LEVEL = """
query($id: ID!) {
  node(id: $id) { ... on RegisteredModel { viewerNotificationLevel { level explicit } } }
}"""
FOLLOW = f"""
mutation($version: ID!) {{
  followVersion(input: {{versionId: $version}}) {{
    modelVersion {{ version viewerFollowing }} following {ERRORS}
  }}
}}"""
UNFOLLOW = f"""
mutation($version: ID!) {{
  unfollowVersion(input: {{versionId: $version}}) {{
    modelVersion {{ version viewerFollowing }} following {ERRORS}
  }}
}}"""
FOLLOWING = "query($id: ID!) { node(id: $id) { ... on ModelVersion { viewerFollowing } } }"


async def _setup(gql: GraphQLClient) -> tuple[dict[str, Any], dict[str, Any]]:
    project = await create_project(gql, "demo")
    model = await create_model(gql, project["id"], "churn")
    version = await create_version(gql, model["id"], "1.0.0")
    return model, version


async def test_the_viewer_sets_an_address_and_a_default_level(gql: GraphQLClient) -> None:
    bob = gql.as_actor("bob", admin=False)
    assert (await bob.execute(VIEWER))["viewer"] == {
        "email": "",
        "notificationLevel": "PARTICIPATING",
    }
    bad = (await bob.execute(SET_EMAIL, {"email": "bob at example"}))["setEmail"]
    assert bad["errors"][0]["code"] == "INVALID_ARGUMENT"
    assert bad["errors"][0]["field"] == "email"
    assert "ada@example.com" in bad["errors"][0]["message"]
    done = (await bob.execute(SET_EMAIL, {"email": "bob@example.org"}))["setEmail"]
    assert done == {"email": "bob@example.org", "notificationLevel": "PARTICIPATING", "errors": []}
    level = (await bob.execute(SET_DEFAULT, {"level": "ALL"}))["updateNotificationSettings"]
    assert level["notificationLevel"] == "ALL"
    assert (await bob.execute(VIEWER))["viewer"] == {
        "email": "bob@example.org",
        "notificationLevel": "ALL",
    }


async def test_anonymous_viewers_have_no_settings_and_may_not_set_them(
    anon_gql: GraphQLClient,
) -> None:
    assert (await anon_gql.execute(VIEWER))["viewer"] == {"email": None, "notificationLevel": None}
    refused = (await anon_gql.execute(SET_EMAIL, {"email": "x@example.org"}))["setEmail"]
    assert refused["errors"][0]["code"] == "UNAUTHENTICATED"


async def test_a_model_level_overrides_the_default_until_reset(gql: GraphQLClient) -> None:
    model, _ = await _setup(gql)
    got = await gql.execute(MODEL_LEVEL, {"id": model["id"]})
    assert got["node"]["viewerNotificationLevel"] == {"level": "PARTICIPATING", "explicit": False}
    muted = (await gql.execute(SET_MODEL_LEVEL, {"model": model["id"], "level": "MUTED"}))[
        "setModelNotificationLevel"
    ]
    assert muted["errors"] == []
    assert muted["level"] == {"level": "MUTED", "explicit": True}
    assert muted["model"]["viewerNotificationLevel"] == {"level": "MUTED", "explicit": True}
    reset = (await gql.execute(SET_MODEL_LEVEL, {"model": model["id"], "level": None}))[
        "setModelNotificationLevel"
    ]
    assert reset["level"] == {"level": "PARTICIPATING", "explicit": False}


async def test_a_model_the_viewer_may_not_read_is_not_found(gql: GraphQLClient) -> None:
    model, _ = await _setup(gql)  # a private project of the admin
    outsider = gql.as_actor("eve", admin=False)
    refused = (await outsider.execute(SET_MODEL_LEVEL, {"model": model["id"], "level": "ALL"}))[
        "setModelNotificationLevel"
    ]
    assert refused["errors"][0]["code"] == "NOT_FOUND"
    assert refused["level"] is None
    bad_id = (await gql.execute(SET_MODEL_LEVEL, {"model": "nonsense", "level": "ALL"}))[
        "setModelNotificationLevel"
    ]
    assert bad_id["errors"][0]["field"] == "modelId"


async def test_following_a_version_by_hand(gql: GraphQLClient) -> None:
    # given: bob, a guest of the project, has not acted on the version
    _, version = await _setup(gql)
    bob = gql.as_actor("bob", admin=False)
    await bob.execute("query { viewer { email } }")  # creates bob
    await gql.execute(
        """mutation($p: ID!) { addProjectMember(input: {projectId: $p, username: "bob",
           role: GUEST}) { errors { code } } }""",
        {"p": (await gql.execute('query { project(path: "demo") { id } }'))["project"]["id"]},
    )
    assert (await bob.execute(FOLLOWING, {"id": version["id"]}))["node"] == {
        "viewerFollowing": False
    }
    # when
    followed = (await bob.execute(FOLLOW, {"version": version["id"]}))["followVersion"]
    # then
    assert followed == {
        "modelVersion": {"version": "1.0.0", "viewerFollowing": True},
        "following": True,
        "errors": [],
    }
    unfollowed = (await bob.execute(UNFOLLOW, {"version": version["id"]}))["unfollowVersion"]
    assert unfollowed["modelVersion"]["viewerFollowing"] is False
    # the creator follows the version they created
    assert (await gql.execute(FOLLOWING, {"id": version["id"]}))["node"] == {
        "viewerFollowing": True
    }
    # an outsider cannot follow what they may not read
    eve = gql.as_actor("eve", admin=False)
    refused = (await eve.execute(FOLLOW, {"version": version["id"]}))["followVersion"]
    assert refused["errors"][0]["code"] == "NOT_FOUND"
