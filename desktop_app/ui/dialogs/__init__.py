"""Stand-alone dialogs: servers and settings, about, reply details."""
