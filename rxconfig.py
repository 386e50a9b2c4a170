"""Reflex configuration: app name, database URL from settings, telemetry off."""

import reflex as rx

from invoice_crm import schema_check
from invoice_crm.build_chunks import ChunkGroups
from invoice_crm.startup import settings_or_exit

_settings = settings_or_exit()  # a refused setting: "Cannot start: ..." in one line
# Reflex's "schema changed?" check at start-up, with our migrations' view of the search index.
schema_check.install()

config = rx.Config(
    app_name="invoice_crm",
    db_url=_settings.database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # One port serves pages, events and the HTTP endpoints (`reflex run --env prod`).
    frontend_port=_settings.app_port,
    backend_port=_settings.app_port,
    backend_host=_settings.app_host,  # 127.0.0.1 behind a reverse proxy
    # Only the app's own origin may call the backend (HTTP with credentials, and the websocket);
    # on this machine's loopback, under each of its names (localhost, 127.0.0.1, [::1]).
    cors_allowed_origins=_settings.app_origins,
    # X-Forwarded-For gives the client address only behind this many trusted proxies.
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")), ChunkGroups()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
