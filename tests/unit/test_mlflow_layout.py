"""The MLflow interface's layout: every module's endpoints are routed, each module is one small
idea, and none of them handles persistence errors or work after commit itself."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import modelreg.mlflow
from modelreg.mlflow import Endpoint, endpoints

PACKAGE = Path(modelreg.mlflow.__file__).parent


def _modules() -> list[str]:
    return [
        found.name
        for found in pkgutil.walk_packages(modelreg.mlflow.__path__, prefix="modelreg.mlflow.")
    ]


def test_every_module_s_endpoints_are_routed() -> None:
    routed = {id(endpoint) for endpoint in endpoints()}
    declared = 0
    for name in _modules():
        module = importlib.import_module(name)
        for endpoint in getattr(module, "ENDPOINTS", []):
            assert isinstance(endpoint, Endpoint)
            declared += 1
            assert id(endpoint) in routed, (
                f"{name} declares {endpoint.method} {endpoint.pattern}, which endpoints() misses"
            )
    assert declared >= len(endpoints())


def test_each_module_is_small_and_says_what_it_holds() -> None:
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(PACKAGE)
        assert ast.get_docstring(ast.parse(source)), f"mlflow/{where} has no docstring"
        lines = source.count("\n")
        assert lines <= 500, f"mlflow/{where} has {lines} lines, over 500"


def test_no_module_handles_persistence_errors_or_work_after_commit() -> None:
    """Database.begin translates persistence errors and runs the work after commit that services
    register; a handler writes through `ctx.write()` or `transactions.write` and leaves both be."""
    banned_modules = ("sqlalchemy", "modelreg.db.after_commit", "modelreg.services.blobs")
    banned_names = {"collect_garbage", "collect_garbage_after_commit", "after_commit"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        where = f"mlflow/{path.relative_to(PACKAGE)}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = []
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                imported = [a.name for a in node.names]
            offenders += [f"{where} imports {m}" for m in imported if m.startswith(banned_modules)]
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
            if name in banned_names:
                offenders.append(f"{where} uses {name}")
            if name == "begin" and path.name not in ("app.py", "protocol.py"):
                offenders.append(f"{where} opens a transaction itself (use ctx.write())")
    assert not offenders, "; ".join(offenders)
