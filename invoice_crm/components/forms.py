"""Form pieces: a visible label tied to its input, and a field with its error beside it."""

from __future__ import annotations

import reflex as rx
from reflex.experimental.client_state import ClientStateVar
from reflex.vars import ArrayVar, ObjectVar, Var

# Read out by screen readers, not shown (the usual "visually hidden" recipe).
VISUALLY_HIDDEN = {
    "position": "absolute", "width": "1px", "height": "1px", "padding": "0", "margin": "-1px",
    "overflow": "hidden", "clip": "rect(0, 0, 0, 0)", "white_space": "nowrap", "border": "0",
}


def field_error(message, error_id: str = "") -> rx.Component:
    """The message under a field; ``error_id`` lets the input name it (``invalid_attrs``)."""
    props = {"id": error_id} if isinstance(error_id, Var) or error_id else {}  # a Var: a repeated field's
    return rx.cond(
        message != "",
        rx.text(message, color_scheme="red", size="1", class_name="field-error", role="alert", **props),
    )


def field_label(label, html_for, *hidden_suffix, **props) -> rx.Component:
    """A visible <label for=…> (``html_for`` may be a Var), so screen readers and
    ``get_by_label`` find the input by what the user reads. ``hidden_suffix`` is read out
    but not shown (", line 2" on repeated line fields)."""
    extra = [rx.el.span(*hidden_suffix, style=VISUALLY_HIDDEN)] if hidden_suffix else []
    props = {"size": "2", "weight": "medium", **props}
    return rx.text(label, *extra, as_="label", custom_attrs={"htmlFor": html_for}, **props)


def control(label: str, control_id: str, *components: rx.Component, **props) -> rx.Component:
    """A small grey label over a toolbar's control (and what follows it: the control's error)."""
    return rx.vstack(field_label(label, control_id, size="1", color_scheme="gray"), *components, spacing="1", **props)


def search_field(label: str, input_id: str, placeholder: str, value, on_change, **input_props) -> rx.Component:
    """A list's search box: its label, a magnifier, and the search run 300 ms after typing stops."""
    return control(
        label, input_id,
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            id=input_id, placeholder=placeholder, value=value, on_change=on_change.debounce(300), width="100%",
            **input_props,
        ),
        flex="1 1 260px",
        max_width=["100%", "360px"],
    )


LINE_LABEL_STYLE = {"font_size": "var(--font-size-1)", "font_weight": "500", "display": "block"}


def line_field_label(label, line_number, html_for, **props) -> rx.Component:
    """The small label over a field of a repeated line: shown as "Description", read out
    (and found by ``get_by_label``) as "Description, line 2"."""
    return rx.el.label(
        label, rx.el.span(", line ", line_number, style=VISUALLY_HIDDEN), html_for=html_for,
        style=LINE_LABEL_STYLE, **props,
    )


def line_control_label(label: str, html_for, **props) -> rx.Component:
    """The same small label over a line's control that keeps its own ``aria-label`` (the
    taxes and the discount): shown, and a click on it focuses the control; the control's
    accessible name stays its aria-label, which contains this text."""
    return rx.el.label(label, html_for=html_for, style=LINE_LABEL_STYLE, **props)


def form_field(label: str, control: rx.Component, error="", html_for: str = "", **props) -> rx.Component:
    # ``html_for`` must be the control's id: Radix Text has no htmlFor prop, so it is passed as an attribute.
    # The error then has the id ``<html_for>-error`` (for the control's ``invalid_attrs``).
    return rx.vstack(
        field_label(label, html_for) if html_for else rx.text(label, size="2", weight="medium"),
        control,
        field_error(error, f"{html_for}-error" if html_for else ""),
        spacing="1",
        **props,
    )


def invalid_attrs(error, error_id) -> dict:
    """An input's ties to its error: read out with it (aria-describedby) and marked invalid."""
    return {
        "aria-describedby": rx.cond(error != "", error_id, ""),
        "aria-invalid": rx.cond(error != "", "true", "false"),
    }


def labelled_textarea(label: str, input_id: str, error="", rows: str = "2", **props) -> rx.Component:
    """A label above a text area of a few lines (a postal address is printed line by line),
    for the same small forms as ``labelled_input``; its error shows under it, tied to it."""
    error_id = f"{input_id}-error"
    return rx.vstack(
        field_label(label, input_id, size="1"),
        rx.text_area(id=input_id, width="100%", rows=rows, custom_attrs=invalid_attrs(error, error_id), **props),
        field_error(error, error_id),
        spacing="1",
        flex="1 1 220px",
        min_width="0",
    )


def labelled_input(label: str, input_id: str, error=None, **input_props) -> rx.Component:
    """A label above a text input; for the small create/edit forms of the directory pages.
    With ``error`` (a Var), its message shows under the input, tied to it (aria-invalid)."""
    if error is None:
        return rx.vstack(
            field_label(label, input_id, size="1"),
            rx.input(id=input_id, width="100%", **input_props),
            spacing="1",
            flex="1 1 160px",
            min_width="0",
        )
    error_id = f"{input_id}-error"
    attrs = {**input_props.pop("custom_attrs", {}), **invalid_attrs(error, error_id)}
    return rx.vstack(
        field_label(label, input_id, size="1"),
        rx.input(id=input_id, width="100%", custom_attrs=attrs, **input_props),
        field_error(error, error_id),
        spacing="1",
        flex="1 1 160px",
        min_width="0",
    )


# For the content of a dialog whose fields are typed into: a click outside it (a slip of the
# mouse) does not close it and drop what was typed. Cancel, its close button and Escape do.
KEEP_TYPED = {"on_interact_outside": rx.prevent_default}


def dialog_actions(*buttons: rx.Component, cancel: str = "Cancel") -> rx.Component:
    """A dialog's button row: a soft button that closes it, then its own actions, at the right.
    The closing button is type=button: in a dialog whose fields are a form, Enter presses the
    form's first submit button, which must be the action, not Cancel."""
    return rx.hstack(
        rx.dialog.close(rx.button(cancel, variant="soft", color_scheme="gray", type="button")),
        *buttons,
        justify="end",
        width="100%",
    )


def select_menu(trigger: rx.Component, control_id: str, value, on_change, *, items=(), options=None,
                label_key: str = "name", value_key: str = "id", **root_props) -> rx.Component:
    """A Radix select whose closed menu renders only the chosen item. Closed, Radix's Select
    renders every item (to find the chosen one's text) when it mounts and on every update of
    the page: with hundreds of clients that was most of the editor's load, and the dashboard's
    two menus were a tenth of the time it took to show its data. Whether the menu is open is
    kept in the browser (no round trip); the open menu renders every item.

    ``items`` are fixed (label, value) pairs; ``options`` a list var of dicts, after them.
    In a list of rows, ``control_id`` names the menus of every row: one open renders the
    items of all (closed, they still show nothing)."""
    menu_open = ClientStateVar.create(control_id.replace("-", "_") + "_open", False)

    def shown(key):
        return menu_open.value | (value == key)

    entries = [rx.cond(shown(key), rx.select.item(label, value=key)) for label, key in items]
    if options is not None:
        entries.append(rx.foreach(options, lambda o: rx.cond(shown(o[value_key]), rx.select.item(o[label_key], value=o[value_key]))))
    return rx.select.root(
        trigger, rx.select.content(*entries), value=value, on_change=on_change, on_open_change=menu_open.set,
        **root_props,
    )


def in_address(path: str, key: str, handler):
    """An on_change for a choice the page's address names (``/settings?tab=…``): the address
    follows in the browser as soon as it is chosen, then the server is told. Following the
    server's answer instead, a reload right after a click opened the choice before it."""
    return lambda value: [
        rx.call_script("window.history.replaceState(null, '', '" + path + "?" + key + "=" + value.to(str) + "')"),
        handler(value),
    ]


def once_loaded(*children: rx.Component) -> rx.Component:
    """Fields that take typing once the page has loaded. Until its on_load has run they hold
    the defaults (or the last visit's values), and on_load draws its forms anew with what is
    saved: anything typed before that was lost (a fast first Save then sent empty fields)."""
    return rx.el.fieldset(
        *children, disabled=~rx.State.is_hydrated, border="none", padding="0", margin="0", min_width="0",
        width="100%",
    )


def drop_zone(text: str | Var, stand_in: str, *, padding: str, **upload_props) -> rx.Component:
    """A file drop zone that takes a file only once the page has loaded. A file chosen before
    that would be read, then undone by the page's own start (its on_load runs after what was
    queued); until then a zone of the same size says what it will take (``stand_in``)."""
    look = {"border": "1px dashed var(--gray-a7)", "padding": padding, "border_radius": "var(--radius-3)",
            "width": "100%"}
    return rx.cond(
        rx.State.is_hydrated,
        rx.upload(rx.text(text, size="2", color_scheme="gray"), cursor="pointer", **look, **upload_props),
        rx.box(rx.text(stand_in, size="2", color_scheme="gray"), aria_disabled="true", **look),
    )


def rejection_codes(rejected: Var) -> Var:
    """react-dropzone's rejected files as their error codes (``file-too-large,…``): sent to the
    server instead of the records, which hold the File itself (its whole content would travel)."""
    return (
        rejected.to(ArrayVar)
        .map(lambda record: record.to(ObjectVar, dict)["errors"].to(ArrayVar).map(lambda e: e.to(ObjectVar, dict)["code"]).join(","))
        .join(",")
    )
