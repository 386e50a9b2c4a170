"""Background jobs shared by several processes: leases on outbox rows and named leases."""
