"""The data folder: where files go, their modes, damaged files, logs."""
