"""The request inspector dock."""
