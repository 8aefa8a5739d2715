"""TODO markers: the places a drafted policy leaves to its author.

A value written ``TODO`` (or ``"TODO: what to write, see 8.3"``) anywhere in a policy, except
in free text (``notes``, ``title``), marks a rule or a field not yet written. `policy check`
reports each one as a warning and checks the rest of the policy as if the marked places were
absent; it never takes a TODO as a value. Every path that runs a policy refuses one with TODOs
left, naming the first.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from termline.domain.text.yamlsource import Located

_MARK = re.compile(r"^\s*TODO\b")
_FREE_TEXT = frozenset({"notes", "title", "reason", "summary"})
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Todo:
    path: Path
    text: str
    line: int | None

    @property
    def where(self) -> str:
        out = ""
        for key in self.path:
            out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
        return out


def is_todo(value: Any) -> bool:
    return isinstance(value, str) and bool(_MARK.match(value))


def find_todos(located: Located) -> list[Todo]:
    """Every TODO marker of the policy, in document order."""
    found: list[Todo] = []

    def walk(path: Path, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in _FREE_TEXT:
                    walk((*path, key), value)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk((*path, i), item)
        elif is_todo(node):
            found.append(Todo(path, node.strip(), located.line_of(list(path))))

    walk((), located.data)
    return found


def without_todos(data: Any, todos: list[Todo]) -> Any:
    """The policy data with every marked place left out (list items removed, keys dropped)."""
    out = copy.deepcopy(data)
    for todo in sorted(todos, key=lambda t: t.path, reverse=True):
        node = out
        for key in todo.path[:-1]:
            node = node[key]
        last = todo.path[-1]
        if isinstance(node, list) and isinstance(last, int):
            node.pop(last)
        elif isinstance(node, dict):
            node.pop(last, None)
    return out


def covered(loc: tuple[Any, ...], todos: list[Todo], message: str = "") -> bool:
    """Whether a validation error at `loc` is only the consequence of a marked place."""
    # a rule of several kinds puts its kind in the error's place
    # ("liability.basis.fees_for_period.period" for `liability.basis.period: TODO`)
    places = [tuple(loc)] + [tuple(loc[:i]) + tuple(loc[i + 1:]) for i in range(1, len(loc))
                             if isinstance(loc[i], str)]
    for todo in todos:
        head = tuple(todo.path)
        if any(place[:len(head)] == head for place in places):
            return True
        # a rule's own check naming the marked field ("statutory interest needs a
        # 'jurisdiction'" where `jurisdiction: TODO`)
        if len(loc) < len(head) and tuple(head[:len(loc)]) == tuple(loc) and \
                f"'{head[-1]}'" in message:
            return True
        # a list item removed: errors of its siblings' indexes are shifted, any error below
        # the list is taken as the item's
        if isinstance(head[-1], int) and tuple(loc[:len(head) - 1]) == head[:-1]:
            return True
    return False
