"""Application state and workflows: conversations, settings, profiles, secrets, persistence."""
