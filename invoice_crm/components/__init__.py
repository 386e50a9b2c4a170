"""Reusable UI pieces: small functions that return components; no queries, no rules."""
