"""The event union the inputs read: the built-in events and those of the installed mechanisms.

A built-in event is a member of the static `Event` union (`contract/model.py`); a mechanism
added through the registry brings its own event models (subclasses of `EventBase` or
`BroadcastBase`, each with a one-value `type` literal). `termline.domain.engine.extension.
install` (called by `termline.domain.registry.bootstrap()`) sets them here; every place an
event enters (a scenario file, an event file, the store's event log, the CLI) validates with
`event_adapter()`, so an installed mechanism's event is read there and an event of no
installed mechanism is refused as an unknown type.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union, cast, get_args, get_origin

from pydantic import BaseModel, Field, TypeAdapter

from termline.domain.contract.model import EVENT_TYPES, BroadcastBase, Event, EventBase

__all__ = ["BroadcastBase", "EventBase", "event_adapter", "event_form", "event_models",
           "event_type_of", "install_events"]

# the union validates to one of its members, each an EventBase
_STATIC = cast(TypeAdapter[EventBase], TypeAdapter(Event))
_extra: tuple[type[EventBase], ...] = ()
_adapter = _STATIC
_form: object = Event


def event_type_of(model: type[BaseModel]) -> str:
    """The `type` an event model is written with (its one-value `type` literal)."""
    field = model.model_fields.get("type")
    hint = field.annotation if field is not None else None
    values = get_args(hint) if get_origin(hint) is Literal else ()
    if len(values) != 1 or not isinstance(values[0], str):
        raise TypeError(f"event model {model.__name__} needs a `type: Literal[\"...\"]` field")
    return values[0]


def install_events(models: tuple[type[BaseModel], ...]) -> None:
    """Set the installed mechanisms' event models (beside the built-in ones)."""
    global _extra, _adapter, _form
    kinds = [event_type_of(m) for m in models]
    taken = [k for k in kinds if k in EVENT_TYPES]
    if taken or len(kinds) != len(set(kinds)):
        raise ValueError(f"event types taken twice: {sorted(set(taken) or kinds)}")
    events: list[type[EventBase]] = []
    for model in models:
        if not issubclass(model, EventBase):
            raise TypeError(f"event model {model.__name__} is no EventBase (date, contract)")
        events.append(model)
    _extra = tuple(events)
    if not models:
        _adapter, _form = _STATIC, Event
        return
    members: object = Union[(*event_models(Event), *models)]
    # a union assembled at run time is no static type form
    form = Annotated[members, Field(discriminator="type")]  # type: ignore[valid-type]
    _form, _adapter = form, cast(TypeAdapter[EventBase], TypeAdapter(form))


def event_adapter() -> TypeAdapter[EventBase]:
    """The validator of one event of any installed kind (discriminated by `type`)."""
    return _adapter


def event_form() -> object:
    """The type of one event of any installed kind, for a schema (the API's request bodies):
    the static `Event` while only the built-in mechanisms are installed."""
    return _form


def event_models(union: object = None) -> list[type[BaseModel]]:
    """The models of a union of events; without one, of every installed event kind."""
    if union is None:
        return [*event_models(Event), *_extra]
    found: list[type[BaseModel]] = []
    for arg in get_args(union):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            found.append(arg)
        else:
            found += event_models(arg)
    return found
