"""Moving the keyboard's focus from an event handler: to a refused field, or to what an action
has just drawn (a new line, a form just opened)."""

from __future__ import annotations

import json

import reflex as rx


def show_field(element_id: str) -> rx.event.EventSpec:
    """Bring this element into view and focus it, once it is on the page (an element the same
    update draws appears a frame or two after the script runs: it is looked for up to ~1 s).
    Centred, not at the top: from 48em the top bar is sticky and would cover a field scrolled
    to the top of the window (as with scrollIntoView(true)), whatever height its links give it."""
    target = json.dumps(element_id)
    return rx.call_script(
        f"(() => {{ const go = (tries) => {{ const el = document.getElementById({target});"
        " if (!el) { if (tries < 40) setTimeout(() => go(tries + 1), 25); return; }"
        " el.scrollIntoView({block: 'center'}); el.focus({preventScroll: true}); }; go(0); })()"
    )
