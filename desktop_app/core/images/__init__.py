"""Image attachments: reading, encoding, the tray and thumbnails."""
