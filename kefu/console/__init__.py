"""The shop team's console: the inbox and takeover, agent assist, analytics, experiments,
feedback and the gaps in the knowledge (served by kefu.api.console)."""
