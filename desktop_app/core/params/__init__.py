"""Generation parameters: the panel's logic, presets, extra body."""
