"""The FastAPI application: the service loaded in its lifespan, the routers, the error
handlers, and the chat page mounted at `/`."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from qa.api import openai
from qa.api.chat import ChatPage
from qa.api.errors import install_error_handlers
from qa.api.lane import Lane
from qa.api.limits import RequestLimits
from qa.api.routes import answer_head, router
from qa.config import Settings
from qa.service import QAService

log = logging.getLogger(__name__)


def create_app(settings: Settings, service: QAService | None = None, ui: bool = True,
               build_if_needed: bool = True) -> FastAPI:
    """The application. The index is loaded (and built if needed) in its lifespan."""
    svc = service or QAService(settings)

    page = ChatPage(svc) if ui else None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        report = svc.start(build_if_needed=build_if_needed)
        if report is not None:
            log.info("%s", report.summary())
        yield
        if page is not None:
            await page.close()
        svc.stop()

    # /docs and /redoc load Swagger UI and ReDoc from the files fastapi-offline ships, not
    # from a CDN, so they work offline.
    app = FastAPIOffline(title="qa", version="0.1.0", lifespan=lifespan, description=(
        "Retrieval and cited answers over the documents of a corpus. Every error has the "
        'shape `{"error": {"type", "message"}}` (a 422 adds `details`), with the statuses '
        "each operation lists."))
    app.state.service = svc
    install_error_handlers(app)
    # Added first, so it runs inside RequestLimits (which reads the body) and before routing.
    app.add_middleware(Lane, service=svc)
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes,
                       body_timeout=settings.body_timeout)
    app.include_router(router)
    app.include_router(openai.router)
    answer_head(app.router)  # /docs, /redoc (the routers' own are added where they are made)

    if page is not None:
        from qa.api.page import PageGuard

        # The chat page, built when first asked for; the guard lets only the page's own
        # routes through (and answers wrong methods on API paths) without building it.
        app.mount("/", PageGuard(page, app.router))
    return app

