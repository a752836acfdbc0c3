"""Small widgets and the theme shared by every part of the window."""
