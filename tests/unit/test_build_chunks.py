"""The build plugin that groups the UI kit and the icons into one chunk each."""

from __future__ import annotations

import pytest
from reflex_base.compiler import templates

from invoice_crm.build_chunks import group_chunks


def _reflex_vite_config() -> str:
    return templates.vite_config_template(
        base="/", hmr=False, force_full_reload=False, experimental_hmr=False, sourcemap=False
    )


def test_the_groups_go_into_reflexs_own_vite_config_once():
    config = _reflex_vite_config()
    grouped = group_chunks(config)
    assert 'name: "ui-kit"' in grouped and 'name: "icons"' in grouped
    assert 'name: "reflex-env"' in grouped  # Reflex's own group stays
    assert group_chunks(grouped) == grouped  # a second compile adds nothing


def test_a_changed_upstream_config_stops_the_build_instead_of_silently_splitting():
    with pytest.raises(RuntimeError, match="build_chunks"):
        group_chunks(_reflex_vite_config().replace('name: "reflex-env"', 'name: "env"'))
