"""The blank app's configuration: served on one port like ours (`reflex run --env prod`)."""

import os

import reflex as rx

PORT = int(os.environ.get("APP_PORT", "3000"))

config = rx.Config(
    app_name="blank_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=PORT,
    backend_port=PORT,
    backend_host="127.0.0.1",
    disable_plugins=[rx.plugins.SitemapPlugin],
)
