"""Pure invoice rules: no Reflex, no database session, no HTTP."""
