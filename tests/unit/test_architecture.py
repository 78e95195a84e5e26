"""The layers of docs/architecture.md, checked on the code: the page names every top-level
package and module, and the imports keep the layering it describes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "backend" / "modelreg"
DOC = ROOT / "docs" / "architecture.md"

INTERFACES = {"graphql", "mlflow", "http", "cli"}
# `modelreg export-schema` writes the GraphQL interface's schema file: a build step, not the CLI
# acting on the registry through another interface.
EXCEPTIONS = {("cli", "graphql")}
# What each layer may import from the rest of modelreg (besides itself).
ALLOWED = {
    "domain": {"errors"},
    "db": {"errors", "domain"},
    "storage": {"errors", "settings"},
    # Background workers (webhook and mail delivery) sit above the services they call.
    "events": {"errors", "domain", "db", "services", "settings", "__version__"},
    # `metrics` imports nothing of modelreg: counting a stored upload is not an interface's job.
    "services": {"errors", "domain", "db", "storage", "settings", "proxies", "metrics"},
    # `modelreg serve-model` loads user code: a client of the registry's public API, no more.
    "serving": {"client", "domain", "errors", "logs"},
}


def _top_level() -> set[str]:
    names = set()
    for path in PACKAGE.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            names.add(path.name)
        elif path.suffix == ".py" and path.name not in ("__init__.py", "__main__.py"):
            names.add(path.stem)
    return names


def _imports(path: Path) -> set[str]:
    """The top-level modelreg names a module imports (at any depth in the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "modelreg":
                if len(parts) > 1:
                    found.add(parts[1])
                else:  # from modelreg import errors, __version__
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "modelreg" and len(parts) > 1:
                    found.add(parts[1])
    return found


def _layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_the_architecture_page_names_every_top_level_package_and_module() -> None:
    text = DOC.read_text(encoding="utf-8")
    tree = re.search(r"```text\n(.*?)```", text, re.S)
    assert tree, "docs/architecture.md has no ```text tree of backend/modelreg"
    listed = set(re.findall(r"^  ([a-z_]+)(?:/|\.py)", tree.group(1), re.M))
    missing = _top_level() - listed
    stale = listed - _top_level()
    assert not missing, f"docs/architecture.md's tree lacks: {', '.join(sorted(missing))}"
    assert not stale, f"docs/architecture.md's tree names what is gone: {', '.join(sorted(stale))}"


def test_the_architecture_page_links_only_inside_the_repository() -> None:
    text = DOC.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+)\)", text):
        if target.startswith(("http://", "https://", "#")):
            continue
        assert (DOC.parent / target.split("#")[0]).resolve().is_relative_to(ROOT), target
        assert (DOC.parent / target.split("#")[0]).exists(), f"broken link: {target}"
    assert "../shared" not in text, "the page points outside the repository"


def test_interfaces_never_import_each_other() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        layer = _layer_of(path)
        if layer not in INTERFACES:
            continue
        for other in _imports(path) & (INTERFACES - {layer}):
            if (layer, other) in EXCEPTIONS:
                continue
            offenders.append(f"{path.relative_to(PACKAGE)} imports {other}")
    assert not offenders, "; ".join(offenders)


def test_inner_layers_import_only_what_is_below_them() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        layer = _layer_of(path)
        if layer not in ALLOWED:
            continue
        for name in _imports(path) - {layer} - ALLOWED[layer]:
            offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not offenders, "; ".join(offenders)


def test_domain_code_does_no_io() -> None:
    io_modules = {"sqlalchemy", "sqlmodel", "httpx", "boto3", "aiobotocore", "socket", "asyncio"}
    offenders = []
    for path in (PACKAGE / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in io_modules:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                offenders.append(f"{path.relative_to(PACKAGE)} calls open()")
    assert not offenders, "; ".join(offenders)


def test_only_the_command_line_imports_serving() -> None:
    """The registry server never loads user code: only `modelreg serve-model` (cli/serving.py)
    imports modelreg.serving."""
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if _layer_of(path) not in ("serving", "cli") and "serving" in _imports(path)
    ]
    offenders += [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "cli").rglob("*.py")
        if path.name != "serving.py" and "serving" in _imports(path)
    ]
    assert not offenders, "; ".join(offenders)
