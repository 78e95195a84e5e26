"""`modelreg export` and `modelreg import` as commands (SQLite data directories): the demo
project moves to a fresh instance; the dry run and the refusals print one line with a code."""

from __future__ import annotations

import json
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
