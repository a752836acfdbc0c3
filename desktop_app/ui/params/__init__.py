"""The Parameters dock: fields, presets, stop sequences."""
