"""HTTP edge: FastAPI routes over the one `QAService`; the chat page is mounted at `/`."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from qa.answer import Answer
from qa.chunk import Chunk
from qa.config import Settings
from qa.errors import QAError
from qa.retrieve import Hit
from qa.service import MAX_QUERY_CHARS, QAService

log = logging.getLogger(__name__)


class RetrieveRequest(BaseModel):
    """Body of POST /retrieve."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(..., min_length=1, max_length=MAX_QUERY_CHARS, examples=[
        "regional impact of the military aspect"])
    k: int = Field(5, ge=1, le=50, description="How many results.")
    doc: str | None = Field(None, description="Search this document only (corpus path).")
    kind: Literal["passage", "table_row"] | None = Field(None, description="Only this kind.")


class Message(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str = Field(..., max_length=20_000)


class AskRequest(BaseModel):
    """Body of POST /ask."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., min_length=1, max_length=MAX_QUERY_CHARS, examples=[
        "What is the regional impact of the military aspect?"])
    history: list[Message] = Field(default_factory=list, max_length=100,
                                   description="Earlier turns, oldest first.")
    doc: str | None = Field(None, description="Answer from this document only (corpus path).")


def hit_json(hit: Hit) -> dict[str, Any]:
    """A retrieval hit as JSON: the chunk with its provenance and scores."""
    return {**hit.chunk.public_dict(), "score": round(hit.score, 6),
            "scores": {"dense": round(hit.dense, 6), "lexical": round(hit.lexical, 6)}}


def answer_json(answer: Answer) -> dict[str, Any]:
    """An answer as JSON, citations numbered as in the answer text."""
    return answer.to_dict()


def chunk_json(chunk: Chunk) -> dict[str, Any]:
    """A chunk as JSON with its provenance; table fields only for table rows."""
    return chunk.public_dict()


# auto_error=False: a missing token is the service's Unauthorized, in the one error shape.
_admin_bearer = HTTPBearer(auto_error=False, description="The admin token (QA_ADMIN_TOKEN).")


def _error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status,
                        content={"error": {"type": kind, "message": message, **extra}})


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        if err.get("type") == "json_invalid":
            loc = []  # the location is a character position, not a field
        field = ".".join(loc) or "body"
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        elif err.get("type") == "json_invalid":
            msg = "the body is not valid JSON"
        parts.append(f"{field}: {msg}")
        details.append({"field": field, "message": msg})
    return "; ".join(parts) or "invalid request", details


def create_app(settings: Settings, service: QAService | None = None, ui: bool = True,
               build_if_needed: bool = True) -> FastAPI:
    """The application. The index is loaded (and built if needed) in its lifespan."""
    svc = service or QAService(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        report = svc.start(build_if_needed=build_if_needed)
        if report is not None:
            log.info("%s", report.summary())
        yield
        svc.stop()

    app = FastAPI(title="qa", version="0.1.0", lifespan=lifespan, description=(
        "Retrieval and cited answers over the documents of a corpus. Errors have the shape "
        '`{"error": {"type", "message"}}`.'))
    app.state.service = svc

    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError) -> JSONResponse:
        return _error(exc.status, type(exc).__name__, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return _error(422, "ValidationError", message, details=details)

    @app.get("/health", summary="Index facts, once it is loaded")
    def health() -> dict[str, Any]:
        return svc.health()

    # /retrieve and /ask run on the service's query thread, awaited from the event loop:
    # one thread hand-over per request instead of two (worker thread, then query thread).
    @app.post("/retrieve", summary="Passages and table rows for a query")
    async def retrieve(req: RetrieveRequest) -> dict[str, Any]:
        res = await svc.run(svc.retrieve, req.query, req.k, req.doc, req.kind)
        return {"version": res.version, "results": [hit_json(h) for h in res.hits]}

    @app.post("/ask", summary="A short answer with numbered citations")
    async def ask(req: AskRequest) -> dict[str, Any]:
        history = [(m.role, m.content) for m in req.history]
        return answer_json(await svc.run(svc.ask, req.question, history, req.doc))

    @app.get("/chunks/{chunk_id}", summary="A cited chunk and its section, in a given version")
    def chunk(chunk_id: str, version: str | None = None) -> dict[str, Any]:
        """Resolve a citation: the chunk `chunk_id` of index `version` (default: the live one)
        and the chunks of its section in reading order.

        Pass the `version` the /ask or /retrieve response named: the server keeps the
        chunks of the last few versions it served in memory, so a citation stays resolvable
        in its own version after a rebuild swapped a newer one in. 404 for an unknown id or
        a version no longer kept.
        """
        found, section = svc.context(chunk_id, version)
        return {"version": version or svc.version, "chunk": chunk_json(found),
                "section": [chunk_json(c) for c in section]}

    @app.post("/index/rebuild", summary="Rebuild the index from the corpus and serve it")
    def rebuild(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)],
    ) -> dict[str, Any]:
        """Bring the index up to date with the corpus (incrementally) and swap the new
        version in between requests; returns the build report and the version now served.

        Needs `Authorization: Bearer <QA_ADMIN_TOKEN>`: 401 without it, 403 with a wrong
        one, 404 when the server has no admin token set. Other requests go on being served
        meanwhile (this route runs in a worker thread). A build that finds no usable
        document keeps the live index: `report.error` says why.
        """
        report, served = svc.rebuild(credentials.credentials if credentials else None)
        return {"version": served, "report": report.to_dict()}

    if ui:
        import gradio as gr

        from qa.ui import build_ui

        app = gr.mount_gradio_app(app, build_ui(svc), path="/")
    return app
