"""Fewer, larger JavaScript chunks for the first page (a Reflex build plugin).

Left to itself, the bundler gives every Radix Themes component and every icon its own chunk
shared by the pages that use it: the sign-in page needed about 40 module files, each one a
request to the single app server and one more module for the browser to link before the
page runs (a blank Reflex page needs 10). Grouping the UI kit, the icons and the small
libraries they use into one chunk each brings a page to about a dozen files. Only code that
every page could use is grouped; recharts (the dashboard's chart, loaded after the page) keeps
its own chunk.
"""

from __future__ import annotations

from reflex_base.constants.base import ReactRouter
from reflex_base.plugins.base import Plugin

ANCHOR = """            {
              test: /env.json/,
              name: "reflex-env",
            },"""

GROUPS = """
            // invoice_crm/build_chunks.py: one chunk for the UI kit and one for the icons.
            {
              test: /node_modules[\\\\/](@radix-ui|@floating-ui|react-remove-scroll|react-remove-scroll-bar|react-style-singleton|use-callback-ref|use-sidecar|aria-hidden|get-nonce|tslib|radix-ui|classnames|clsx)[\\\\/]/,
              name: "ui-kit",
            },
            {
              test: /node_modules[\\\\/]lucide-react[\\\\/]/,
              name: "icons",
            },"""


def group_chunks(config: str) -> str:
    """vite.config.js with the groups added after Reflex's own (once)."""
    if "build_chunks.py" in config:
        return config
    if ANCHOR not in config:
        raise RuntimeError("vite.config.js changed upstream: invoice_crm/build_chunks.py cannot group the chunks")
    return config.replace(ANCHOR, ANCHOR + GROUPS, 1)


class ChunkGroups(Plugin):
    def pre_compile(self, **context) -> None:
        context["add_modify_task"](ReactRouter.VITE_CONFIG_FILE, group_chunks)
