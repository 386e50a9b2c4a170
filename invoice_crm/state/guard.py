"""The one gate every event passes before its handler runs (a Reflex app middleware).

- Arguments are checked against the handler's annotations (bare ``dict`` means a form:
  text fields only; a text argument named ``*_id`` must be a whole number), with bounded
  sizes; a wrong event is refused with a toast, it never reaches the handler. What only the
  handler knows (an allowed status, a sensible number of days) it checks itself.
- Every handler of the app's states needs a valid session, except the deliberately public
  ones in ``PUBLIC_HANDLERS`` (sign-in page, the client's pay pages). Handlers need not
  remember to check: a refused event runs nothing and sends no data back.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import operator
import types
import typing
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import reflex as rx
from pydantic import StringConstraints, TypeAdapter
from pydantic import ValidationError as PydanticError
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event
from reflex_base.registry import RegistrationContext
from reflex_base.utils.form import transform_form_data

from invoice_crm.services import auth
from invoice_crm.state.auth import AuthState

log = logging.getLogger(__name__)

APP_PACKAGE = "invoice_crm."
MAX_TEXT = 20_000  # characters in one event argument (notes are the longest text)
MAX_FORM_FIELDS = 50
MAX_INT = 2**31 - 1  # fits every integer column; larger ids and pages are not real ones

# The deliberately public handlers: (state class name, handler name). "*" means every handler
# of that state. Everything else of the app's states requires a signed-in session.
PUBLIC_HANDLERS: frozenset[tuple[str, str]] = frozenset(
    {
        ("AuthState", "load_login_page"),
        ("AuthState", "sign_in"),
        ("AuthState", "create_owner"),
        ("AuthState", "sign_out"),
        ("PayState", "on_load"),
        ("PayState", "on_load_return"),
        ("PayState", "pay"),
        ("PayState", "download_pdf"),
        ("PayState", "download_receipt"),
    }
)

# Reflex gives every state a generic ``setvar(name, value)``; the app never uses it, and it
# would let a tab put a value of any type into any var.
BLOCKED_HANDLERS: frozenset[str] = frozenset({"setvar"})

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Form = Annotated[dict[Annotated[str, StringConstraints(max_length=100)], Text], "form"]
_BOUNDED = {str: Text, dict: Form}


def _bounded(hint: Any) -> Any:
    """The hint with sizes bounded: texts, forms and integers."""
    if hint in _BOUNDED:
        return _BOUNDED[hint]
    origin = typing.get_origin(hint)
    if origin is dict:
        key, value = typing.get_args(hint)
        return dict[_bounded(key), _bounded(value)]
    if origin is list:
        (item,) = typing.get_args(hint)
        return list[_bounded(item)]
    if origin in (typing.Union, types.UnionType):  # str | bool: a form with checkboxes
        return functools.reduce(operator.or_, (_bounded(arg) for arg in typing.get_args(hint)))
    return hint


_adapters: dict[Callable, dict[str, tuple[Any, TypeAdapter]]] = {}


def _is_upload(hint: Any) -> bool:
    """``list[rx.UploadFile]``: files that only Reflex's upload endpoint can hand over."""
    return typing.get_origin(hint) is list and typing.get_args(hint) == (rx.UploadFile,)


class _UploadAdapter:
    """Upload arguments are objects made by the upload endpoint, never JSON from a tab."""

    @staticmethod
    def validate_python(value: Any, strict: bool = True) -> Any:
        if isinstance(value, list) and all(isinstance(item, rx.UploadFile) for item in value):
            return value
        raise TypeError("not uploaded files")


def _adapters_for(fn: Callable) -> dict[str, tuple[Any, TypeAdapter | _UploadAdapter]]:
    if fn not in _adapters:
        hints = typing.get_type_hints(fn, include_extras=True)
        hints.pop("return", None)
        _adapters[fn] = {
            name: (hint, _UploadAdapter() if _is_upload(hint) else TypeAdapter(_bounded(hint)))
            for name, hint in hints.items()
        }
    return _adapters[fn]


@functools.cache
def _parameters(fn: Callable) -> tuple[frozenset[str], tuple[str, ...]]:
    """The handler's argument names, and those without a default (read once per handler)."""
    params = list(inspect.signature(fn).parameters.values())[1:]  # without self
    return frozenset(p.name for p in params), tuple(p.name for p in params if p.default is inspect.Parameter.empty)


def argument_problem(fn: Callable, payload: dict[str, Any]) -> str | None:
    """Why this payload cannot be passed to the handler, or None when it can."""
    names, required = _parameters(fn)
    if not isinstance(payload, dict):
        return "arguments are not named"
    unknown = set(payload) - names
    if unknown:
        return f"unexpected arguments {sorted(unknown)}"
    missing = [name for name in required if name not in payload]
    if missing:
        return f"missing arguments {missing}"
    adapters = _adapters_for(fn)
    for name, value in payload.items():
        if name not in adapters:
            return f"argument {name} has no declared type"
        hint, adapter = adapters[name]
        try:  # a form arrives as its [name, value] entries; Reflex turns them into a dict
            value = transform_form_data(value, hint)
        except (TypeError, ValueError):
            return f"argument {name} is not form data"
        try:
            checked = adapter.validate_python(value, strict=not isinstance(value, str))
        except TypeError:
            return f"argument {name} is not uploaded files"
        except PydanticError as err:
            first = err.errors()[0]
            where = ".".join(str(part) for part in (name, *first["loc"]))
            return f"argument {where}: {first['msg']} (got {type(first.get('input')).__name__})"
        if isinstance(checked, int) and not isinstance(checked, bool) and abs(checked) > MAX_INT:
            return f"argument {name} is out of range"
        if name.endswith("_id") and isinstance(checked, str) and not (checked.isdigit() and len(checked) < 10):
            return f"argument {name} is not an id"
        if isinstance(checked, dict) and len(checked) > MAX_FORM_FIELDS:
            return f"argument {name} has too many fields"
    return None


def is_public(state_cls: type[BaseState], handler_name: str) -> bool:
    return not state_cls.__module__.startswith(APP_PACKAGE) or (
        (state_cls.__name__, handler_name) in PUBLIC_HANDLERS
        or (state_cls.__name__, "*") in PUBLIC_HANDLERS
    )


# Reflex's events that send a tab its whole state (on every websocket (re)connect).
HYDRATES = frozenset({"hydrate", "hydrate_and_load"})


def _token_sent(payload: Any) -> str:
    """The session token a hydrate brings from the browser's storage ("" when none)."""
    storage = payload.get("vars") if isinstance(payload, dict) else None
    for name, value in (storage or {}).items() if isinstance(storage, dict) else ():
        state_name, _, var = str(name).rpartition(".")
        if state_name == AuthState.get_full_name() and var.split("_rx_state_")[0] == "auth_token":
            return value if isinstance(value, str) else ""
    return ""


async def _signed_in(token: str) -> bool:
    """A valid session's token. One checked a moment ago needs no database read (nor a thread
    to read it in)."""
    if not token:
        return False
    return auth.remembered_user(token) is not None or await asyncio.to_thread(auth.user_for_token, token) is not None


def _app_states(state: BaseState) -> Iterator[BaseState]:
    for substate in state.substates.values():
        if type(substate).__module__.startswith(APP_PACKAGE):
            yield substate
        yield from _app_states(substate)


async def _forget_unless_signed_in(state: BaseState, payload: Any) -> None:
    """A hydrate sends the tab everything its states hold: the last invoice, client and
    dashboard it showed. Without a valid session (signed out, expired, or a client token
    replayed from elsewhere) those states go back to their defaults first, so it learns
    nothing; a signed-in tab keeps its page."""
    if await _signed_in(_token_sent(payload)):
        return
    for substate in _app_states(state):
        cls = type(substate)
        for name, field in cls.__fields__.items():
            if field._owner is cls and not cls._is_client_storage(name) and not name.startswith("router"):
                default = field.default_value()
                if getattr(substate, name) != default:  # a state already at its defaults is not touched
                    setattr(substate, name, default)


def _refuse(*specs) -> StateUpdate:
    return StateUpdate(events=Event.from_event_type(list(specs)), delta={})


class EventGuard(Middleware):
    """The session first (an anonymous tab learns nothing, not even what it got wrong), then
    the arguments."""

    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        registered = RegistrationContext.get().event_handlers.get(event.name)
        if registered is None or not registered.states:
            return None
        state_cls, handler = registered.states[0], registered.handler
        if handler.fn.__name__ in HYDRATES and not state_cls.__module__.startswith(APP_PACKAGE):
            await _forget_unless_signed_in(state, event.payload)
            return None
        if not state_cls.__module__.startswith(APP_PACKAGE):
            return None  # Reflex's own (on_load_internal, client storage)
        name = handler.fn.__name__
        if not is_public(state_cls, name):
            auth_state = await state.get_state(AuthState)
            if not await _signed_in(auth_state.auth_token):
                return _refuse(auth_state._redirect_to_login())  # /login?next=<this page>
        problem = (
            "not used by the app" if name in BLOCKED_HANDLERS else argument_problem(handler.fn, event.payload)
        )
        if problem is not None:
            log.warning("refused event %s.%s: %s", state_cls.__name__, name, problem)
            return _refuse(rx.toast.error("That request was not understood"))
        return None
