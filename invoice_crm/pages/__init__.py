"""One module per route; pages only compose components."""
