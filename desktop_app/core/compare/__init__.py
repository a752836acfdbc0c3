"""Compare: one conversation prefix answered under several settings, side by side.

The package's plain modules (`spec`, `cells`, `checks`, `export`) use no Qt, so the
`gemma-desk compare` command runs the very same code; `run` wraps them for the window.
"""
