"""The chat: conversations, the reply workflow and its error cards."""
