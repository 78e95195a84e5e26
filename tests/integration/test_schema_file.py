from __future__ import annotations

from pathlib import Path

from modelreg.graphql.schema import export_schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_is_up_to_date() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == export_schema(), (
        "schema.graphql is stale: run `make schema` and commit the result."
    )
