"""The shop's team: staff accounts, roles and console sessions."""
