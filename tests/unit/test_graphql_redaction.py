"""Secret values found in a request and replaced wherever a message prints them."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, parse
from graphql.pyutils import inspect

from modelreg.graphql.redaction import (
    REDACTED,
    Redactor,
    SecretInputs,
    secrets_in_ast,
    secrets_in_document,
    secrets_in_variables,
)
from modelreg.graphql.schema import create_schema
from modelreg.settings import Settings


@pytest.fixture(scope="module")
def inputs() -> SecretInputs:
    schema = create_schema(Settings())
    return SecretInputs.from_schema(schema._schema)


def test_the_secret_inputs_come_from_the_schema(inputs: SecretInputs) -> None:
    assert inputs.input_fields == {
        "LoginInput.password",
        "CreateUserInput.password",
        "ResetUserPasswordInput.password",
        "ChangePasswordInput.currentPassword",
        "ChangePasswordInput.newPassword",
    }
    assert {"login", "createUser", "changePassword", "resetUserPassword"} <= inputs.fields
    assert {"createProject", "createModel", "projects"}.isdisjoint(inputs.fields)
    assert {"username", "displayName", "isAdmin"} <= inputs.plain_fields


def test_literals_given_to_secrets(inputs: SecretInputs) -> None:
    document = parse(
        'mutation($password: String = "dflt") { '
        'login(input: {username: "bob", password: "S3cret", x: "stray"}) { errors { code } } '
        'changePassword(input: {currentPassword: 12345678, newPassword: ["n1", {a: N2}]}) '
        "{ changed } }"
    )
    assert secrets_in_ast(document, {}, inputs) == {
        "dflt",
        "S3cret",
        "stray",
        "12345678",
        "n1",
        "N2",
    }


def test_variables_given_to_secrets(inputs: SecretInputs) -> None:
    document = parse(
        "mutation($i: LoginInput!, $p: String!) { a: login(input: $i) { errors { code } } "
        'b: login(input: {username: "u", password: $p}) { errors { code } } }'
    )
    variables = {"i": {"username": "bob", "pw": "V1"}, "p": 987654321, "other": {"token": ["V2"]}}
    assert secrets_in_ast(document, variables, inputs) == {"V1", "987654321", "V2"}
    # A password sent as the whole input (a wrong shape) is still a secret.
    assert secrets_in_ast(document, {"i": "V3"}, inputs) == {"V3"}


def test_secret_keys_at_any_depth() -> None:
    variables = {"input": {"password": ["x", {"y": 1.5}], "name": "n", "k": [{"newPassword": 12}]}}
    assert secrets_in_variables(variables) == {"x", "1.5", "12"}
    assert secrets_in_variables(["not", "a", "dict"]) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('mutation { login(input: {username: "u", password: "S3c" }', {"S3c"}),
        ('mutation { login(input: {username: "u", password "S3c"}) }', {"S3c"}),
        ("mutation { login(input: {password: S3c!}) }", {"S3c"}),
        ('mutation { login(input: "S3c") { x }', {"S3c"}),
        ('mutation { changePassword(input: {newPassword: ["a1", 22 "b3"', {"a1", "22", "b3"}),
        ('mutation { login(input: {password: "unterminated', set()),
        ("mutation($password: String!) { login(input: {password: $password}) }", set()),
        ("{ viewer { personalAccessTokens { name } } }", set()),
    ],
)
def test_secrets_in_a_document_that_does_not_parse(
    inputs: SecretInputs, text: str, expected: set[str]
) -> None:
    assert secrets_in_document(text, inputs) == expected


def test_every_printed_form_is_replaced() -> None:
    long, quoted = "L" * 300, 'hun"ter'
    redact = Redactor.for_secrets({quoted, long, "42"})
    printed = inspect({"password": quoted})  # {'password': 'hun"ter'}
    message = (
        'found: { password: "hun\\"ter" }; '
        f"{printed}; {inspect(long)}; value: 42; 420 and x42 stay"
    )
    redacted = redact(message)
    assert "hun" not in redacted and "LLL" not in redacted
    assert redacted.count(REDACTED) == 4
    assert redacted.endswith("value: [redacted]; 420 and x42 stay")


def test_a_syntax_error_quotes_the_secret_it_stopped_at(inputs: SecretInputs) -> None:
    text = 'mutation { login(input: {username: "u", password "S3cret-9"}) { errors { code } } }'
    with pytest.raises(GraphQLSyntaxError) as raised:
        parse(text)
    assert "S3cret-9" in raised.value.message
    redact = Redactor.for_secrets(secrets_in_document(text, inputs))
    assert "S3cret-9" not in redact(raised.value.message)


def test_no_secrets_no_change() -> None:
    assert Redactor.for_secrets(set())("anything") == "anything"
