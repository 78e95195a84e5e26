"""The `order_by` of a run search, parsed as MLflow's server reads it."""

from __future__ import annotations

import pytest

from modelreg.domain.run_order import (
    OrderKind,
    RunOrder,
    orders_by_start_time,
    parse_run_order,
    parse_run_order_clause,
)
from modelreg.errors import InvalidArgument

A, M, P, T = OrderKind.ATTRIBUTE, OrderKind.METRIC, OrderKind.PARAM, OrderKind.TAG


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("metrics.acc", RunOrder(M, "acc", True)),
        ("metric.acc DESC", RunOrder(M, "acc", False)),
        ("metrics.acc desc", RunOrder(M, "acc", False)),
        ("  metrics.acc   Asc ", RunOrder(M, "acc", True)),
        ("params.lr", RunOrder(P, "lr", True)),
        ("param.lr DESC", RunOrder(P, "lr", False)),
        ("parameters.lr", RunOrder(P, "lr", True)),
        ("parameter.lr", RunOrder(P, "lr", True)),
        ("tags.team DESC", RunOrder(T, "team", False)),
        ("tag.team", RunOrder(T, "team", True)),
        ("params.`learning rate` DESC", RunOrder(P, "learning rate", False)),
        ('tags."data set"', RunOrder(T, "data set", True)),
        ("metrics.`val.loss`", RunOrder(M, "val.loss", True)),
        ("`metrics`.acc", RunOrder(M, "acc", True)),
        ("attributes.start_time", RunOrder(A, "start_time", True)),
        ("attribute.end_time DESC", RunOrder(A, "end_time", False)),
        ("attr.status", RunOrder(A, "status", True)),
        ("run.run_name DESC", RunOrder(A, "run_name", False)),
        ("run_id", RunOrder(A, "run_id", True)),
        ("user_id DESC", RunOrder(A, "user_id", False)),
        ("artifact_uri", RunOrder(A, "artifact_uri", True)),
        ("created DESC", RunOrder(A, "start_time", False)),
        ("attributes.Created", RunOrder(A, "start_time", True)),
    ],
)
def test_clauses_parse_as_mlflow_reads_them(clause: str, expected: RunOrder) -> None:
    assert parse_run_order_clause(clause) == expected


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        ("", "Invalid order_by clause ''. Could not be parsed."),
        ("metrics.acc DESC now", "Invalid order_by clause 'metrics.acc DESC now'. Could not"),
        ("metrics.`acc", "Invalid order_by clause 'metrics.`acc'. Could not be parsed."),
        ("metrics.", "Invalid order_by clause 'metrics.'. Could not be parsed."),
        ("metrics.acc sideways", "Invalid ordering key in order_by clause 'metrics.acc sideways'."),
        ("model.acc", "Invalid entity type 'model'. Valid values are"),
        ("datasets.name", "Invalid entity type 'datasets'."),
        ("attributes.experiment_id", "Invalid attribute key 'experiment_id' specified."),
        ("nope DESC", "Invalid attribute key 'nope' specified. Valid keys are"),
        ("run name", "Invalid ordering key in order_by clause 'run name'."),
    ],
)
def test_a_bad_clause_is_an_invalid_argument_in_mlflows_words(clause: str, message: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        parse_run_order_clause(clause)
    assert str(raised.value.message).startswith(message)
    assert raised.value.field == "order_by"


def test_several_clauses_keep_their_order() -> None:
    assert parse_run_order(["tags.team DESC", "metrics.acc", "created"]) == [
        RunOrder(T, "team", False),
        RunOrder(M, "acc", True),
        RunOrder(A, "start_time", True),
    ]
    assert parse_run_order([]) == []


@pytest.mark.parametrize(
    "clauses",
    [
        ["metrics.acc", "metric.acc DESC"],
        ["created", "attributes.start_time DESC"],
        ["params.lr", "tags.team", "param.lr"],
    ],
)
def test_a_field_named_twice_is_refused(clauses: list[str]) -> None:
    with pytest.raises(InvalidArgument, match="duplicate fields"):
        parse_run_order(clauses)


def test_same_key_of_different_kinds_is_not_a_duplicate() -> None:
    assert len(parse_run_order(["metrics.x", "params.x", "tags.x"])) == 3


def test_the_default_tie_break_knows_when_start_time_is_ordered() -> None:
    assert orders_by_start_time(parse_run_order(["created DESC"]))
    assert not orders_by_start_time(parse_run_order(["end_time", "params.start_time"]))
