"""The import's batches go to the database in runs of rows that set the same columns, in order
(one INSERT takes parameter sets of one shape; a record source may leave a column out)."""

from __future__ import annotations

from modelreg.services.transfer.writer import _same_columns


def test_a_batch_splits_where_the_columns_change_and_keeps_its_order() -> None:
    rows = [{"a": 1, "b": 2}, {"b": 3, "a": 4}, {"a": 5}, {"a": 6}, {"a": 7, "b": 8}]

    runs = list(_same_columns(rows))

    assert runs == [[rows[0], rows[1]], [rows[2], rows[3]], [rows[4]]]
    assert [r for run in runs for r in run] == rows


def test_an_empty_batch_has_no_runs() -> None:
    assert list(_same_columns([])) == []
