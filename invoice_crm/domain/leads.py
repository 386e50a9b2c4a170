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


def status_with_invoices(stored: LeadStatus | str, open_invoices: int) -> LeadStatus:
    """What a lead shows, given how many of its invoices are sent or overdue (not paid):
    never Paid while any is open — the work it stands for is not paid yet."""
    stored = LeadStatus(stored)
    if stored is LeadStatus.PAID and open_invoices > 0:
        return LeadStatus.INVOICED
    return stored
