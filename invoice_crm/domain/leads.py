"""The lead pipeline: NEW -> CONTACTED -> PROPOSAL -> WON -> INVOICED -> PAID."""

from __future__ import annotations

import enum


class LeadStatus(str, enum.Enum):
    NEW = "NEW"
    CONTACTED = "CONTACTED"
    PROPOSAL = "PROPOSAL"
    WON = "WON"
    INVOICED = "INVOICED"
    PAID = "PAID"


PIPELINE = list(LeadStatus)


def advance_to(current: LeadStatus | str, target: LeadStatus | str) -> LeadStatus:
    """Move forward along the pipeline; never backwards (a paid lead stays paid)."""
    current, target = LeadStatus(current), LeadStatus(target)
    return target if PIPELINE.index(target) > PIPELINE.index(current) else current
