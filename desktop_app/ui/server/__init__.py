"""Widgets that show what the server says about itself: context meter, capabilities, load."""
