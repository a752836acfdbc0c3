"""The Tools dock and the tool-call cards in replies."""
