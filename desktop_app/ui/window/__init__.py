"""The main window: its frame, docks, menus and notices."""
