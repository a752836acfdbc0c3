"""The command line: `gemma-desk ask`, one chat turn from a shell."""
