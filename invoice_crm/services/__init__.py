"""One function per user action; each is one transaction."""
