"""Command-line entry: `gemma-desk` opens the window, `gemma-desk ask ...` scripts a chat,
`gemma-desk probe` tells what a server can do, `gemma-desk compare` runs one prompt
under several settings."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "ask":
        from desktop_app.cli.ask import main as ask_main

        return ask_main(args[1:])
    if args and args[0] == "probe":
        from desktop_app.cli.probe import main as probe_main

        return probe_main(args[1:])
    if args and args[0] == "compare":
        from desktop_app.cli.compare import main as compare_main

        return compare_main(args[1:])
    from desktop_app.app.startup import main as app_main

    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
