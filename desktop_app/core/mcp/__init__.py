"""MCP servers: their settings, their processes and sessions, and their tools."""
