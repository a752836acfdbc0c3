"""Icons, sample tools, themes and desktop files shipped with the app."""
