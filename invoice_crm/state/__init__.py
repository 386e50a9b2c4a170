"""Reflex state classes: what each page shows, and its event handlers."""
