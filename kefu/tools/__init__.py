"""Tools: the operations on the store that a turn may run, each checking its own authorisation."""
