"""Images on screen: the tray, drops, the viewer and preferences."""
