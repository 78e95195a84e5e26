"""`rendering.reader`: a search page's Core rows are read by position, and the positions are
those of the row's own columns, whatever their order or extra columns; ORM objects (and any
other object) by attribute."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from modelreg.mlflow.registry.rendering import reader


def test_a_core_row_is_read_by_its_own_column_positions() -> None:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(
                sa.literal("extra").label("tag_key"),
                sa.literal(7).label("number"),
                sa.literal("1.0.0").label("version"),
                sa.literal(3).label("id"),
            )
        ).one()
    engine.dispose()
    assert reader(row, ("version", "number"))(row) == ("1.0.0", 7)
    assert reader(row, ("id",))(row) == 3


def test_an_object_is_read_by_attribute() -> None:
    version = SimpleNamespace(version="2.0.0", number=4, id=9)
    assert reader(version, ("version", "number"))(version) == ("2.0.0", 4)
    assert reader(version, ("id",))(version) == 9
