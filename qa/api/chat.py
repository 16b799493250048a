"""The chat page mounted at `/`, built on its first request.

Gradio takes seconds to import and a hundred megabytes to hold: a server that is only
asked over the API never pays for it, and one that serves the page pays once, when the
page is first asked for. Until then (and meanwhile) the API answers as usual; the import
runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from qa.service import QAService


class ChatPage:
    """An ASGI app that builds the Gradio chat page (`qa.ui`) on its first request and
    hands every request to it; `close` runs the page's shutdown."""

    def __init__(self, service: QAService) -> None:
        self.service = service
        self._app: Any = None
        self._lock = asyncio.Lock()
        self._stack = AsyncExitStack()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        app = self._app or await self._start()
        await app(scope, receive, send)

    async def _start(self) -> Any:
        async with self._lock:
            if self._app is None:
                app = await asyncio.to_thread(self._build)
                # Gradio's own start-up (its queue) runs in the lifespan it gave the app.
                await self._stack.enter_async_context(app.router.lifespan_context(app))
                self._app = app
        return self._app

    def _build(self) -> Any:
        from fastapi import FastAPI

        from qa.api.page import mount_page

        return mount_page(FastAPI(), self.service)

    async def close(self) -> None:
        """Shut the page down, if it was built."""
        await self._stack.aclose()
