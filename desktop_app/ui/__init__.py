"""The widgets: windows, panels, the chat view and dialogs. No HTTP, no SQL."""
