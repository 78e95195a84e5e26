"""The README's table of MLflow endpoints stays true: every endpoint modelreg serves has a row,
a row says `supported` or `differs` only for what is served (and `not supported` only for what is
not), and every endpoint the installed MLflow server lists has a row, so an MLflow upgrade that
adds endpoints shows up here.

A row stands for a call under both of MLflow's prefixes (`/api/...` and `/ajax-api/...`, which
modelreg serves alike); its path uses MLflow's `<name>` placeholders. Several methods of one path
may share a row when their status is the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modelreg.mlflow import endpoints

README = Path(__file__).parents[2] / "README.md"
HEADER = "| Method | Endpoint | Status here |"
STATUS = re.compile(r"(supported|differs: \S.*|not supported: \S.*)")
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}

Key = tuple[str, str]


def _key_path(path: str) -> str:
    """A path as rows, modelreg and MLflow all name it: no leading slash, `ajax-api/` as `api/`,
    every placeholder (`<model_id>`, `{path:path}`) as `*`."""
    path = path.strip().lstrip("/")
    path = re.sub(r"^ajax-api/", "api/", path)
    return re.sub(r"<[^>]+>|\{[^}]+\}", "*", path)


def table_rows(text: str) -> dict[Key, str]:
    """(method, path) -> status, from the one table under HEADER; duplicates are an error."""
    lines = text.splitlines()
    assert lines.count(HEADER) == 1, f"README needs exactly one table headed {HEADER!r}"
    start = lines.index(HEADER) + 2  # past the header and its |---| line
    rows: dict[Key, str] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 3, f"a row has three cells: {line}"
        methods, endpoint, status = cells
        assert endpoint.startswith("`") and endpoint.endswith("`"), line
        assert STATUS.fullmatch(status) or status.startswith("supported ("), line
        for method in (m.strip() for m in methods.split(",")):
            assert method in METHODS, line
            key = (method, _key_path(endpoint.strip("`")))
            assert key not in rows, f"two rows for {key}"
            rows[key] = status
    return rows


def served() -> set[Key]:
    return {(e.method, _key_path(e.pattern)) for e in endpoints()}


def mlflow_listed() -> set[Key]:
    handlers = pytest.importorskip("mlflow.server.handlers")
    return {
        (method, _key_path(path))
        for path, _handler, methods in handlers.get_endpoints()
        for method in methods
    }


@pytest.fixture(scope="module")
def rows() -> dict[Key, str]:
    return table_rows(README.read_text(encoding="utf-8"))


def _is_served_status(status: str) -> bool:
    return status == "supported" or status.startswith(("supported (", "differs: "))


def test_every_served_endpoint_has_a_row(rows: dict[Key, str]) -> None:
    assert sorted(served() - rows.keys()) == []


def test_rows_say_supported_only_for_what_is_served(rows: dict[Key, str]) -> None:
    wrong = [
        (key, status)
        for key, status in rows.items()
        if _is_served_status(status) != (key in served())
    ]
    assert wrong == []


def test_every_endpoint_mlflow_lists_has_a_row(rows: dict[Key, str]) -> None:
    assert sorted(mlflow_listed() - rows.keys()) == []


def test_no_row_names_an_endpoint_nobody_has(rows: dict[Key, str]) -> None:
    assert sorted(rows.keys() - mlflow_listed() - served()) == []


def test_the_checks_catch_a_missing_or_wrong_row() -> None:
    """The parser and the comparisons on a small table: a served endpoint without a row, a row
    claiming support for what is not served, and a bad status are all caught."""
    table = "\n".join(
        [
            "Text.",
            HEADER,
            "|---|---|---|",
            "| POST | `/api/2.0/mlflow/registered-models/create` | supported |",
            "| GET, POST | `/ajax-api/2.0/mlflow/experiments/search` | supported |",
            "| GET | `/api/2.0/mlflow/logged-models/<model_id>` | supported |",
            "| POST | `/api/3.0/mlflow/traces` | differs: none |",
            "",
            "| GET | `/after/the/table` | supported |",
        ]
    )
    found = table_rows(table)
    assert found == {
        ("POST", "api/2.0/mlflow/registered-models/create"): "supported",
        ("GET", "api/2.0/mlflow/experiments/search"): "supported",
        ("POST", "api/2.0/mlflow/experiments/search"): "supported",
        ("GET", "api/2.0/mlflow/logged-models/*"): "supported",
        ("POST", "api/3.0/mlflow/traces"): "differs: none",
    }
    assert ("GET", "api/2.0/mlflow/runs/get") in served() - found.keys()
    assert not _is_served_status("not supported: GenAI") and _is_served_status("differs: x")
    assert ("POST", "api/3.0/mlflow/traces") not in served()
    with pytest.raises(AssertionError):
        table_rows(table.replace("| supported |", "| maybe |", 1))
    with pytest.raises(AssertionError):
        table_rows(table + "\n" + HEADER)
