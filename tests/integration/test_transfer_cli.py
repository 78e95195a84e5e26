"""`modelreg export` and `modelreg import` as commands (SQLite data directories): the demo
project moves to a fresh instance; the dry run and the refusals print one line with a code."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from modelreg.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_the_demo_project_moves_to_a_fresh_instance(tmp_path: Path) -> None:
    # given
    source, target = tmp_path / "source", tmp_path / "target"
    assert _run("demo", "--data-dir", str(source))[0] == 0
    assert _run("db", "upgrade", "--data-dir", str(target))[0] == 0
    archive = tmp_path / "demo.tar"

    # when
    code, out = _run("export", "demo", "-o", str(archive), "--data-dir", str(source))
    assert code == 0, out
    dry_code, dry = _run("import", str(archive), "--dry-run", "--json", "--data-dir", str(target))
    code, applied = _run("import", str(archive), "--json", "--data-dir", str(target))
    again_code, again = _run("import", str(archive), "--json", "--data-dir", str(target))

    # then
    assert not (tmp_path / "demo.tar.partial").exists()
    assert dry_code == 0, dry
    planned = json.loads(dry)
    assert planned["applied"] is False
    assert planned["create"]["project"] == 1 and planned["create"]["model_version"] > 0
    assert code == 0, applied
    assert json.loads(applied)["applied"] is True
    # Importing the same archive again updates what the first import made: no conflict.
    assert again_code == 0, again
    assert json.loads(again)["create"] == {}
    assert json.loads(again)["update"]["model_version"] == planned["create"]["model_version"]


def test_a_refusal_is_one_line_with_its_code(tmp_path: Path) -> None:
    target = tmp_path / "target"
    assert _run("db", "upgrade", "--data-dir", str(target))[0] == 0
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all" * 100)

    code, out = _run("import", str(junk), "--data-dir", str(target))

    assert code == 1
    assert "[archive.not_an_archive]" in out
    assert "Traceback" not in out


def test_export_of_a_missing_project_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "source"
    assert _run("db", "upgrade", "--data-dir", str(source))[0] == 0

    code, out = _run("export", "nope", "-o", str(tmp_path / "x.tar"), "--data-dir", str(source))

    assert code == 1
    assert "[export.project_not_found]" in out
    assert not (tmp_path / "x.tar").exists()
    assert not (tmp_path / "x.tar.partial").exists()


def test_the_dry_run_of_an_incremental_archive_lists_what_it_deletes(tmp_path: Path) -> None:
    # given: the demo imported, then a model removed in the source (straight in its database: the
    # project's list of models says so, with or without an event)
    source, target = tmp_path / "source", tmp_path / "target"
    assert _run("demo", "--data-dir", str(source))[0] == 0
    assert _run("db", "upgrade", "--data-dir", str(target))[0] == 0
    base, since = tmp_path / "base.tar", tmp_path / "since.tar"
    assert _run("export", "demo", "-o", str(base), "--data-dir", str(source))[0] == 0
    assert _run("import", str(base), "--data-dir", str(target))[0] == 0
    with sqlite3.connect(source / "registry.db") as db:
        last = db.execute("SELECT max(id) FROM event").fetchone()[0]
        db.execute("PRAGMA foreign_keys = ON")
        (model_id,) = db.execute("SELECT id FROM registered_model ORDER BY id LIMIT 1").fetchone()
        db.execute("DELETE FROM registered_model WHERE id = ?", (model_id,))
    export = ("export", "demo", "-o", str(since), "--since-event", str(last))
    assert _run(*export, "--data-dir", str(source))[0] == 0

    # when
    code, out = _run("import", str(since), "--dry-run", "--data-dir", str(target))
    json_code, as_json = _run(
        "import", str(since), "--dry-run", "--json", "--data-dir", str(target)
    )

    # then
    assert code == 0, out
    assert "delete: 1 registered_model" in out
    assert json_code == 0, as_json
    planned = json.loads(as_json)
    assert planned["delete"] == {"registered_model": 1}
    assert [d["kind"] for d in planned["deletions"]] == ["registered_model"]
