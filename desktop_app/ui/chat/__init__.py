"""The conversation on screen: messages, markdown, composer, details."""
