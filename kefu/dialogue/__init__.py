"""Conversation state and the decision of what to do next."""
