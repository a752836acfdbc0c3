"""The server connection: profiles, secrets and the live session."""
