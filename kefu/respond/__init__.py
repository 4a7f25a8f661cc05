"""Respond: turn a decision and its grounding into words, in the customer's language."""
