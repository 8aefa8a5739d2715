"""YAML reading that remembers where each value stood, so errors can name file and line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from termline.domain.errors import InputError


@dataclass(frozen=True)
class Located:
    """Parsed YAML data plus the node tree to find the line of any path in it.

    Given the `text` instead of the tree, the tree is built when a line is first asked for:
    only an error needs one, and building it costs more than parsing the data. With `at`,
    `root` is the node at that path of the document (one item of a streamed list): paths
    are still given from the document's top."""

    data: Any
    root: yaml.Node | None
    source: str
    text: str | None = field(default=None, repr=False, compare=False)
    at: tuple[str | int, ...] = ()

    def _root(self) -> yaml.Node | None:
        if self.root is None and self.text is not None:
            object.__setattr__(self, "root", yaml.compose(self.text, Loader=_Loader))
        return self.root

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node reachable along `path`."""
        node = self._root()
        line = node.start_mark.line + 1 if node is not None else None
        if self.at:
            if tuple(path[:len(self.at)]) != self.at:
                return line
            path = path[len(self.at):]
        for key in path:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key):
                        node = v
                        line = k.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    return line
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: the schemas parse them and report bad ones."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_FAST: Any = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it
if _FAST is not None:
    class _FastLoader(_FAST):  # type: ignore[misc]
        """libyaml's SafeLoader, dates kept as text like `_Loader`."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FAST = _FastLoader


def read_yaml(text: str, source: str, error: type[InputError] = InputError) -> Located:
    """The data of a YAML text (libyaml when present; the line tree only when asked for)."""
    if _FAST is not None:
        try:
            return Located(data=yaml.load(text, Loader=_FAST), root=None, source=source,
                           text=text)
        except yaml.YAMLError:
            pass  # reported below, as the pure-Python parser words it
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(
            f"not valid YAML: {exc.problem}", source=source,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except yaml.YAMLError as exc:  # e.g. a control character (ReaderError has no mark)
        raise error(f"not valid YAML: {' '.join(str(exc).split())}", source=source) from None
    return Located(data=data, root=root, source=source)


def pydantic_error(exc: Any, located: Located, error: type[InputError],
                   prefix: Sequence[str | int] = ()) -> InputError:
    """Turn the first pydantic error into a located InputError."""
    first = exc.errors()[0]
    loc = [*prefix, *[p for p in first["loc"]
                      if not (isinstance(p, str) and p.startswith("function-"))]]
    path = [p for p in loc if isinstance(p, (str, int))]
    dotted = ".".join(str(p) for p in path) or None
    message = first["msg"]
    if first.get("type") == "extra_forbidden":
        message = "unknown field (not part of the format)"
    count = len(exc.errors())
    if count > 1:
        message += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
    return error(message, source=located.source, line=located.line_of(path), field=dotted)
