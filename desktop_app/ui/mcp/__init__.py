"""Widgets for MCP servers: their list, state, log and tool policies."""
