"""Hostile metadata files of a chosen size, for the linear-time tests and bench/bench_metadata.py.

Each builder returns (file name, content) with the content exactly `size` bytes long (the
MLmodel ones are valid YAML with flavors, so the whole file is read), shaped to hit one cost:
many small nodes, many keys, one long line, a huge signature JSON string, deep nesting, a
deeply nested signature type, long runs of spaces in requirement lines, and a mix of all.
"""

from __future__ import annotations

import json
from collections.abc import Callable

HEADER = (
    "artifact_path: model\n"
    "flavors:\n"
    "  python_function:\n"
    "    loader_module: mlflow.sklearn\n"
    "    python_version: 3.11.9\n"
    "  sklearn:\n"
    "    pickled_model: model.pkl\n"
    "mlflow_version: 2.17.2\n"
)


def _pad(text: str, size: int) -> bytes:
    """`text` (ending with a newline) padded with a comment line to exactly `size` bytes."""
    data = text.encode()
    missing = size - len(data)
    assert missing >= 0, f"built {len(data)} bytes for {size}"
    if missing <= 1:
        return data + b"\n" * missing
    return data + b"#" + b"x" * (missing - 2) + b"\n"


def mlmodel_tiny_nodes(size: int) -> tuple[str, bytes]:
    """A list of one-letter items: the most YAML nodes per byte."""
    count = (size - len(HEADER) - 8) // 4
    return "MLmodel", _pad(HEADER + "items:\n" + "- a\n" * count, size)


def mlmodel_many_keys(size: int) -> tuple[str, bytes]:
    lines, used, i = [HEADER], len(HEADER), 0
    while True:
        line = f"key_{i}: value_{i}\n"
        if used + len(line) > size:
            break
        lines.append(line)
        used += len(line)
        i += 1
    return "MLmodel", _pad("".join(lines), size)


def mlmodel_long_line(size: int) -> tuple[str, bytes]:
    return "MLmodel", _pad(HEADER + "notes: " + "x" * (size - len(HEADER) - 16) + "\n", size)


def mlmodel_signature(size: int) -> tuple[str, bytes]:
    """A signature whose inputs are one huge JSON string of many columns."""
    budget = size - len(HEADER) - 64
    columns, used = [], 2
    while True:
        column = {"type": "double", "name": f"c{len(columns)}", "required": True}
        cost = len(json.dumps(column)) + 2
        if used + cost > budget:
            break
        columns.append(column)
        used += cost
    text = HEADER + "signature:\n  inputs: '" + json.dumps(columns) + "'\n"
    return "MLmodel", _pad(text, size)


def mlmodel_deep(size: int) -> tuple[str, bytes]:
    """Block mappings and flow lists nested deep (at most 900 levels, under libyaml's 1,000),
    then many keys."""
    block = min(900, int((size * 0.7) ** 0.5))  # a block level costs its indentation
    flow = min(900, size // 8)
    nested = "".join("  " * level + f"k{level}:\n" for level in range(1, block))
    text = HEADER + "flow: " + "[" * flow + "]" * flow + "\n"
    text += "deep:\n" + nested + "  " * block + "end: 1\n"
    lines, used, i = [text], len(text), 0
    while used + len(line := f"key_{i}: value_{i}\n") <= size:
        lines.append(line)
        used += len(line)
        i += 1
    return "MLmodel", _pad("".join(lines), size)


def mlmodel_nested_type(size: int) -> tuple[str, bytes]:
    """A signature column whose type nests arrays deep (at most 600 levels) around an object
    with many properties."""
    depth = min(600, size // 128)
    budget = size - len(HEADER) - 128 - depth * len('{"type": "array", "items": }')
    properties: dict[str, object] = {}
    used = 0
    while used + len(entry := f'"p{len(properties)}": {{"type": "long"}}, ') <= budget:
        properties[f"p{len(properties)}"] = {"type": "long"}
        used += len(entry)
    spec: dict[str, object] = {"type": "object", "properties": properties}
    for _ in range(depth):
        spec = {"type": "array", "items": spec}
    column = json.dumps([{"name": "x", **spec}])
    return "MLmodel", _pad(HEADER + "signature:\n  inputs: '" + column + "'\n", size)


def requirements_spaces(size: int) -> tuple[str, bytes]:
    """Requirement lines that are mostly spaces (where a backtracking regex goes quadratic)."""
    line = "numpy" + " " * (size // 4) + "x\n"
    text = line + "pandas ==2.2" + " " * (size // 4) + "--hash=sha256:00\n"
    text += "# " * (size // 16) + "\n"
    return "requirements.txt", _pad(text, size)


def conda_comments(size: int) -> tuple[str, bytes]:
    """pip entries that are long multi-line strings full of comment marks and spaces."""
    entry = "numpy" + " #" * (size // 8) + "\\n" + " " * (size // 8) + "x"
    text = f'channels:\n- conda-forge\ndependencies:\n- pip:\n  - "{entry}"\n'
    return "conda.yaml", _pad(text, size)


def mlmodel_mixed(size: int) -> tuple[str, bytes]:
    """A bit of everything (signature, long line, nesting, keys), filled up with tiny nodes."""
    part = size // 8
    _, signature = mlmodel_signature(part)
    depth = min(400, int(part**0.5))
    text = signature.decode() + "notes: " + "y" * part + "\n"
    text += "deep:\n" + "".join("  " * level + f"n{level}:\n" for level in range(1, depth))
    text += "  " * depth + "end: 1\n"
    text += "".join(f"key_{i}: v\n" for i in range(part // 12))
    count = max(0, (size - len(text.encode()) - 16) // 4)
    return "MLmodel", _pad(text + "items:\n" + "- a\n" * count, size)


BUILDERS: dict[str, Callable[[int], tuple[str, bytes]]] = {
    "tiny nodes": mlmodel_tiny_nodes,
    "many keys": mlmodel_many_keys,
    "long line": mlmodel_long_line,
    "signature JSON": mlmodel_signature,
    "deep nesting": mlmodel_deep,
    "nested type": mlmodel_nested_type,
    "requirements spaces": requirements_spaces,
    "conda comments": conda_comments,
    "mixed": mlmodel_mixed,
}


def bomb(levels: int, width: int, where: str = "lol") -> bytes:
    """An MLmodel with a "billion laughs": each level lists the previous one `width` times,
    so the last one stands for width**levels strings. `where` = "default" puts it in a
    signature param's default (which reading would serialise), else under a plain key."""
    lines = [HEADER, 'l0: &l0 "lol"\n']
    for level in range(1, levels + 1):
        items = ", ".join(f"*l{level - 1}" for _ in range(width))
        lines.append(f"l{level}: &l{level} [{items}]\n")
    top = f"*l{levels}"
    if where == "default":
        lines.append(
            "signature:\n"
            '  inputs: \'[{"type": "long", "name": "a"}]\'\n'
            f"  params: [{{name: p, type: string, default: {top}}}]\n"
        )
    else:
        lines.append(f"{where}: {top}\n")
    return "".join(lines).encode()


def cycle() -> bytes:
    """An MLmodel whose signature param's default contains itself."""
    return (
        HEADER + "signature:\n"
        '  inputs: \'[{"type": "long", "name": "a"}]\'\n'
        "  params:\n"
        "  - &p {name: p, type: string, default: [*p]}\n"
    ).encode()
