"""Programs the window tests run as child processes."""
