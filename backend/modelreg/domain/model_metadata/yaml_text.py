"""Reading YAML safely in linear time: a safe loader (libyaml's when PyYAML has it) that keeps
scalars as text, refusing documents whose aliases expand past MAX_YAML_EXPANDED_SIZE or refer
to themselves (alias bombs), and the top-level mapping of a metadata file."""

from __future__ import annotations

from typing import Any, cast

import yaml

from modelreg.domain.model_metadata.reading import _Warnings
from modelreg.domain.model_metadata.records import (
    MAX_METADATA_FILE_BYTES,
    MAX_YAML_EXPANDED_SIZE,
)


class _YamlTooLarge(yaml.YAMLError):
    """A document whose aliases expand it past MAX_YAML_EXPANDED_SIZE, or refer to itself."""


def _check_expanded_size(root: yaml.Node, limit: int) -> None:
    """Refuse a composed document whose tree, with every alias expanded, exceeds `limit`
    (nodes plus scalar characters) or has a cycle. Each distinct collection is visited once
    (its expanded size is memoised), so this costs time linear in the document, not in its
    expansion."""
    sizes: dict[int, int] = {}
    # Collections on the current path, with their scalars' size and their nested collections.
    open_: dict[int, tuple[int, list[yaml.Node]]] = {}
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        entry = open_.get(key)
        if entry is None:
            if key in sizes:  # reached again through an alias: already counted
                stack.pop()
                continue
            own, nested = 1, []
            for child in _children(node):
                if isinstance(child, yaml.ScalarNode):
                    own += 1 + len(child.value)
                elif child is node or id(child) in open_:
                    raise _YamlTooLarge("an alias refers to a node that contains it")
                else:
                    nested.append(child)
            open_[key] = (own, nested)
            stack.extend(child for child in nested if id(child) not in sizes)
            continue
        stack.pop()
        del open_[key]
        own, nested = entry
        size = own + sum(sizes[id(child)] for child in nested)
        if size > limit:
            raise _YamlTooLarge(
                f"its aliases expand it to more than {limit // MAX_METADATA_FILE_BYTES} times "
                f"the {MAX_METADATA_FILE_BYTES // 1024} KiB a metadata file may have"
            )
        sizes[key] = size


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _BoundedLoader:
    """Mixin for a PyYAML loader: refuses alias bombs before constructing anything."""

    def get_single_data(self) -> Any:
        loader = cast(yaml.SafeLoader, self)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, MAX_YAML_EXPANDED_SIZE)
        return loader.construct_document(node)


_TEXT_ONLY_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
}


def text_loader(base: type) -> type:
    """`base` (a PyYAML safe loader class) without implicit int/float/timestamp resolution
    (scalars keep their text), refusing alias bombs."""
    loader = type(f"Text{base.__name__}", (_BoundedLoader, base), {})
    resolvers: dict[Any, list[tuple[str, Any]]] = base.yaml_implicit_resolvers  # type: ignore[attr-defined]
    loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
        first: [(tag, pattern) for tag, pattern in found if tag not in _TEXT_ONLY_TAGS]
        for first, found in resolvers.items()
    }
    return loader


# libyaml's loader parses in C, in linear time; PyYAML built without libyaml only has the
# pure-Python one (linear too, about ten times slower).
_TextLoader = text_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _load_yaml(name: str, path: str, text: str, warnings: _Warnings) -> dict[Any, Any] | None:
    """The top-level mapping of a YAML file; None (with a warning) when there is none."""
    try:
        document = yaml.load(text, Loader=_TextLoader)  # a safe loader subclass: safe
    except _YamlTooLarge as error:
        warnings.malformed(name, path, f"{path} was not read: {error}.")
        return None
    except yaml.MarkedYAMLError as error:
        where = f" at line {error.problem_mark.line + 1}" if error.problem_mark else ""
        problem = error.problem or error.context or "syntax error"
        warnings.malformed(name, path, f"{path} is not valid YAML{where}: {problem}.")
        return None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        warnings.malformed(name, path, f"{path} is not valid YAML: {error}.")
        return None
    if not isinstance(document, dict):
        kind = "empty" if document is None else "not a YAML mapping"
        warnings.malformed(name, path, f"{path} is {kind} and was not read.")
        return None
    return document


def _scalar_text(value: object) -> str | None:
    """A YAML scalar as text; None for null, mappings, lists and binary values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None
