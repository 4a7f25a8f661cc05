"""Understanding a message: its language, intent and entities."""
