"""The search-filter parser (modelreg.domain.filters): MLflow's syntax plus OR and parentheses."""

from __future__ import annotations

import pytest

from modelreg.domain.filters import And, Comparison, FieldRef, Op, Or, parse_filter
from modelreg.errors import InvalidArgument

FIELDS = {"name", "run_id", "source_path"}
NUMERIC = {"version_number"}


def parse(text: str) -> object:
    return parse_filter(text, fields=FIELDS, numeric=NUMERIC)


def name(op: Op, value: object) -> Comparison:
    return Comparison(FieldRef("name"), op, value)  # type: ignore[arg-type]


def tag(key: str, op: Op, value: object) -> Comparison:
    return Comparison(FieldRef("tags", key), op, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "ast"),
    [
        ("name = 'churn'", name(Op.EQ, "churn")),
        ('name = "churn"', name(Op.EQ, "churn")),
        ("name != 'churn'", name(Op.NE, "churn")),
        ("name LIKE 'churn%'", name(Op.LIKE, "churn%")),
        ("name like 'churn%'", name(Op.LIKE, "churn%")),
        ("name ILIKE '%Churn%'", name(Op.ILIKE, "%Churn%")),
        ("name IN ('a', 'b')", name(Op.IN, ("a", "b"))),
        ("name not in ('a')", name(Op.NOT_IN, ("a",))),
        ("tags.team = 'growth'", tag("team", Op.EQ, "growth")),
        ("tag.team = 'growth'", tag("team", Op.EQ, "growth")),
        ("tags.`data set` = 'x'", tag("data set", Op.EQ, "x")),
        ("tags.`mlflow.runName` = 'x'", tag("mlflow.runName", Op.EQ, "x")),
        ("tags.\"my key\" = 'x'", tag("my key", Op.EQ, "x")),
        ("name = 'it\\'s'", name(Op.EQ, "it's")),
        (
            "version_number >= 3",
            Comparison(FieldRef("version_number"), Op.GE, 3),
        ),
        (
            "version_number IN (1, 2)",
            Comparison(FieldRef("version_number"), Op.IN, (1, 2)),
        ),
        (
            "name LIKE 'c%' AND tags.team = 'growth'",
            And((name(Op.LIKE, "c%"), tag("team", Op.EQ, "growth"))),
        ),
        (
            "name = 'a' OR name = 'b' AND tags.x = 'y'",
            Or((name(Op.EQ, "a"), And((name(Op.EQ, "b"), tag("x", Op.EQ, "y"))))),
        ),
        (
            "(name = 'a' OR name = 'b') AND tags.x = 'y'",
            And((Or((name(Op.EQ, "a"), name(Op.EQ, "b"))), tag("x", Op.EQ, "y"))),
        ),
    ],
)
def test_filters_parse_to_the_expected_tree(text: str, ast: object) -> None:
    assert parse(text) == ast


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_blank_filter_is_no_filter(text: str) -> None:
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name", "ends too early"),
        ("name =", "ends too early"),
        ("name = 'x' AND", "ends too early"),
        ("name == 'x'", "at column 7"),
        ("name = x", "quote strings"),
        ("name = 'x' # y", "unexpected character"),
        ("nome = 'x'", "Unknown field 'nome'"),
        ("foo.bar = 'x'", "only tags have keys"),
        ("version_number = 'x'", "whole numbers"),
        ("version_number LIKE '1%'", "is a number"),
        ("name > 'a'", "is text"),
        ("name = 3", "quote the value"),
        ("name IN ('a', 3)", "quote the value"),
        ("x" * 10_001, "limit is 10000"),
    ],
)
def test_bad_filters_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(InvalidArgument, match=says) as caught:
        parse(text)
    assert caught.value.field == "filter"
