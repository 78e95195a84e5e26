"""One error vocabulary: every code is mapped by every interface, published in the GraphQL schema
the web app's types are generated from, and documented; no interface invents its own."""

from __future__ import annotations

import re
from pathlib import Path

from modelreg.errors import DomainError, ErrorCode
from modelreg.http.errors import STATUS, code_for_status
from modelreg.mlflow.protocol import mlflow_code

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend" / "modelreg"


def _schema_enum() -> set[str]:
    schema = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    found = re.search(r"enum ErrorCode \{(.*?)\}", schema, re.S)
    assert found, "schema.graphql has no ErrorCode enum"
    return {line.strip() for line in found.group(1).splitlines() if line.strip()}


def test_the_graphql_schema_publishes_exactly_the_vocabulary() -> None:
    assert _schema_enum() == {code.value for code in ErrorCode}


def test_every_code_has_an_http_status_and_an_mlflow_code() -> None:
    for code in ErrorCode:
        assert code in STATUS, f"http/errors.py maps no status for {code}"

        class Probe(DomainError):
            pass

        Probe.code = code
        mlflow, status = mlflow_code(Probe("x"))
        assert mlflow and 400 <= status < 600


def test_statuses_raised_without_a_code_get_one_from_the_vocabulary() -> None:
    assert code_for_status(404) == ErrorCode.NOT_FOUND
    assert code_for_status(405) == ErrorCode.METHOD_NOT_ALLOWED
    assert code_for_status(413) == ErrorCode.FILE_TOO_LARGE
    assert code_for_status(409) == ErrorCode.CONFLICT
    assert code_for_status(400) == ErrorCode.INVALID_ARGUMENT
    assert code_for_status(418) == ErrorCode.INVALID_ARGUMENT
    assert code_for_status(502) == ErrorCode.INTERNAL
    assert code_for_status(503) == ErrorCode.UNAVAILABLE


def test_the_readme_documents_every_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))
    missing = {code.value for code in ErrorCode} - rows
    assert not missing, f"README.md's error table lacks: {', '.join(sorted(missing))}"


def test_no_interface_spells_a_code_of_its_own() -> None:
    """Our own interfaces name codes through `ErrorCode`, never as a string literal (MLflow's
    codes, in mlflow/, are that protocol's vocabulary and exempt)."""
    literal = re.compile(r"""["']code["']\s*:\s*["']([A-Z_]+)["']""")
    offenders = []
    for path in BACKEND.rglob("*.py"):
        if "mlflow" in path.relative_to(BACKEND).parts:
            continue
        for match in literal.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert not offenders, "codes spelled as literals: " + "; ".join(offenders)
