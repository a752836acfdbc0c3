"""The qasync event loop that drives both Qt and asyncio, with async-generator hooks."""

from __future__ import annotations

import sys

import qasync


class QtAsyncLoop(qasync.QEventLoop):
    """qasync's loop plus the async-generator hooks asyncio's own loop installs.

    Without them, an async generator left early (e.g. httpx's line iterator when a stream is
    stopped) is finalised with no running loop, which logs "async generator ignored
    GeneratorExit" noise; see docs/qt-notes.md §3.
    """

    def run_forever(self) -> None:
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook, finalizer=self._asyncgen_finalizer_hook
        )
        try:
            super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*old)
