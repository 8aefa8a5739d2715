"""A YAML mapping read as a stream: its small values whole, the items of chosen sequences one
at a time, each with its node (for the lines of errors). libyaml parses; only one item's
nodes and data are held at a time, so a scenario of any size is read in little memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from termline.domain.errors import InputError
from termline.domain.text.yamlsource import _Loader

_PARSER: Any = None
if yaml.__with_libyaml__:  # libyaml's parser, when PyYAML was built with it
    import yaml.cyaml

    _PARSER = yaml.cyaml.CParser  # type: ignore[attr-defined]
_StreamLoader: Any = None
if _PARSER is not None:
    class _StreamLoader(_PARSER, Composer, SafeConstructor,  # type: ignore[misc,no-redef]
                        Resolver):
        """libyaml's events, composed into nodes an item at a time by PyYAML's composer;
        dates kept as text, as `yamlsource` keeps them."""

        def __init__(self, stream: IO[bytes]) -> None:
            _PARSER.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _StreamLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


@dataclass(frozen=True)
class Entry:
    """A key of the top mapping with its whole value (`item` None), one item of a streamed
    sequence (`item` its index), or the end of a streamed sequence (`end`, `node` spanning
    the whole sequence)."""

    key: str
    key_node: yaml.Node
    item: int | None
    data: Any
    node: yaml.Node
    end: bool = False


class NotAMapping(Exception):
    """The document is not one mapping with plain keys (or libyaml is missing): read it
    whole instead."""


def entries(stream: IO[bytes], source: str, streamed: frozenset[str],
            error: type[InputError] = InputError) -> Iterator[Entry]:
    """The entries of the top mapping in document order; the sequences under `streamed`
    keys an item at a time. A syntax error is raised as `error` naming its line."""
    if _StreamLoader is None:
        raise NotAMapping
    loader = _StreamLoader(stream)
    try:
        yield from _entries(loader, streamed)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(f"not valid YAML: {exc.problem}", source=source,
                    line=mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML: {' '.join(str(exc).split())}", source=source) from None
    finally:
        loader.dispose()


def _entries(loader: Any, streamed: frozenset[str]) -> Iterator[Entry]:
    loader.get_event()  # the stream's start
    if not loader.check_event(yaml.DocumentStartEvent):
        raise NotAMapping
    loader.get_event()
    if not loader.check_event(yaml.MappingStartEvent) or \
            loader.peek_event().anchor is not None:
        raise NotAMapping
    loader.get_event()
    while not loader.check_event(yaml.MappingEndEvent):
        key_node = loader.compose_node(None, None)
        if not isinstance(key_node, yaml.ScalarNode):
            raise NotAMapping
        key = str(loader.construct_document(key_node))
        if key in streamed and loader.check_event(yaml.SequenceStartEvent) and \
                loader.peek_event().anchor is None:
            start = loader.get_event()
            index = 0
            while not loader.check_event(yaml.SequenceEndEvent):
                node = loader.compose_node(None, None)
                yield Entry(key, key_node, index, loader.construct_document(node), node)
                index += 1
            end = loader.get_event()
            # the sequence's place, for errors about it as a whole
            yield Entry(key, key_node, None, None,
                        yaml.SequenceNode("tag:yaml.org,2002:seq", [], start.start_mark,
                                          end.end_mark), end=True)
            continue
        node = loader.compose_node(None, None)
        yield Entry(key, key_node, None, loader.construct_document(node), node)
    loader.get_event()  # the mapping's end
    loader.get_event()  # the document's end
    if not loader.check_event(yaml.StreamEndEvent):
        raise NotAMapping  # a second document
