"""Entry script of the PyInstaller bundle: the same as the `gemma-desk` console script."""

import sys

from desktop_app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
