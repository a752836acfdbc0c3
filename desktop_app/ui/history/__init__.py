"""The history sidebar: search, rename, delete, branch, export."""
