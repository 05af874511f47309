"""Pure domain: no I/O, no clock. "Today" is always an argument."""
