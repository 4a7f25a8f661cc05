"""Guards at both ends of a turn."""
