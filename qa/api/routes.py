"""The routes of our API: health, retrieve, ask, chunks, documents and rebuild, each one
call into the service."""

from __future__ import annotations

import asyncio
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import UploadFile

from qa.api.errors import error_responses
from qa.api.models import (
    AddedResponse,
    AskRequest,
    DocumentsResponse,
    RetrieveRequest,
    answer_body,
    retrieval_body,
)
from qa.api.sse import HEADERS, ask_events
from qa.errors import BadRequest, TooLarge
from qa.service import QAService

# Every operation documents the error statuses the request layers and faults can give.
router = APIRouter(responses=error_responses())

# auto_error=False: a missing token is the service's Unauthorized, in the one error shape.
_admin_bearer = HTTPBearer(auto_error=False, description="The admin token (QA_ADMIN_TOKEN).")


async def service(request: Request) -> QAService:
    """The app's one service object."""
    # async: FastAPI runs a plain `def` dependency on a worker thread, a hand-over there and
    # back on every request for one attribute look-up.
    return request.app.state.service


Service = Annotated[QAService, Depends(service)]
AdminToken = Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)]
MULTIPART_OVERHEAD = 64 * 1024  # bytes a multipart body holds beyond the file itself


@router.get("/health", summary="Index facts, once it is loaded")
async def health(svc: Service) -> dict[str, Any]:
    # On the loop: a few dictionary look-ups, cheaper than a hand-over to a worker thread.
    return svc.health()


# /retrieve hands only its query's encoding to the service's encoder thread (one thread
# hand-over; queries that arrive together are encoded in one batch) and searches on the
# loop. /ask runs on an answer thread, which hands only its encodings to the encoder
# thread, so a slow answer never delays another request's retrieval.
@router.post("/retrieve", summary="Passages and table rows for a query",
             responses=error_responses(404))
async def retrieve(req: RetrieveRequest, svc: Service) -> dict[str, Any]:
    # Well-formed requests are answered by qa.api.lane.Lane before they get here,
    # with the same call and body; this route answers the rest (and describes the API).
    res = await svc.retrieve_async(req.query, req.k, req.doc, req.kind)
    return Response(retrieval_body(res), media_type="application/json")


@router.post("/ask", summary="A short answer with numbered citations", response_model=None,
             responses=error_responses(404))
async def ask(req: AskRequest, svc: Service) -> dict[str, Any] | StreamingResponse:
    """The answer, or with `"stream": true` server-sent events: `start` at once, `delta`
    (`{"text"}`: verified text to append), then `answer` (this reply, plus `replaced`:
    whether its text replaces the streamed text) or `error` (the one error shape)."""
    history = svc.check_history(req.turns())
    if req.stream:
        stop = threading.Event()
        events = svc.ask_stream(req.question, history, req.doc, stop)  # bad input raises here
        return StreamingResponse(ask_events(req.question, events, stop, svc.offload),
                                 media_type="text/event-stream", headers=HEADERS)
    # Well-formed non-streaming requests are answered by qa.api.lane.Lane before they get
    # here, with the same call and body.
    answer = await svc.offload(svc.ask, req.question, history, req.doc)
    return Response(answer_body(answer), media_type="application/json")


@router.get("/chunks/{chunk_id}", summary="A cited chunk and its section, in a given version",
            responses=error_responses(404))
def chunk(chunk_id: str, svc: Service, version: str | None = None) -> dict[str, Any]:
    """Resolve a citation: the chunk `chunk_id` of index `version` (default: the live one)
    and the chunks of its section in reading order.

    Pass the `version` the /ask or /retrieve response named: the server keeps the
    chunks of the last few versions it served in memory, so a citation stays resolvable
    in its own version after a rebuild swapped a newer one in. 404 for an unknown id or
    a version no longer kept.
    """
    found, section = svc.context(chunk_id, version)
    return {"version": version or svc.version, "chunk": found.public_dict(),
            "section": [c.public_dict() for c in section]}


@router.get("/documents", summary="The indexed documents and the skipped files")
def documents(svc: Service) -> DocumentsResponse:
    """Every document of the served index version (name, title, format, pages, chunks)
    and the corpus files it left out, with the reason."""
    return DocumentsResponse.of(svc.documents())


@router.post("/documents", summary="Add a document to the corpus and serve a version with it",
             status_code=201, responses=error_responses(401, 403, 404, 409, 415),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"],
                     "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def add_document(request: Request, svc: Service, credentials: AdminToken) -> AddedResponse:
    """Upload one file (multipart field `file`): it is checked as the corpus scan checks
    files, saved in the corpus folder (replacing a file of the same name), and the index
    is rebuilt and swapped in; returns the document as indexed and the build report.

    Needs `Authorization: Bearer <QA_ADMIN_TOKEN>` (401 without, 403 wrong, 404 when the
    server has no token). 413 over QA_MAX_FILE_BYTES, 415 for a type qa does not read,
    422 for a file that cannot be read or indexed, 409 for content already indexed.
    """
    token = credentials.credentials if credentials else None
    svc.authorize_admin(token)  # before the body is read
    limit = svc.settings.max_file_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
        raise TooLarge(f"the upload has {length} bytes, over the limit of {limit} "
                       "(QA_MAX_FILE_BYTES)")
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadRequest("send the document as the multipart form field `file`")
    data = await upload.read(limit + 1)
    await form.close()
    added = await asyncio.to_thread(svc.add_document, upload.filename or "", data, token)
    return AddedResponse.of(added)


@router.post("/index/rebuild", summary="Rebuild the index from the corpus and serve it",
             responses=error_responses(401, 403, 404))
def rebuild(svc: Service, credentials: AdminToken) -> dict[str, Any]:
    """Bring the index up to date with the corpus (incrementally) and swap the new
    version in between requests; returns the build report and the version now served.

    Needs `Authorization: Bearer <QA_ADMIN_TOKEN>`: 401 without it, 403 with a wrong
    one, 404 when the server has no admin token set. Other requests go on being served
    meanwhile (this route runs in a worker thread). A build that finds no usable
    document keeps the live index: `report.error` says why.
    """
    report, served = svc.rebuild(credentials.credentials if credentials else None)
    return {"version": served, "report": report.to_dict()}


def answer_head(routes: APIRouter) -> None:
    """Answer HEAD wherever GET is answered (HTTP asks it of every server; uptime monitors
    and `curl -I` send it): FastAPI routes take only the methods they name, so `/health`
    answered HEAD with a 405. Added as routes left out of the schema, once per router; the
    server sends the headers of the GET response without its body."""
    head = {r.path for r in routes.routes if isinstance(r, APIRoute) and "HEAD" in r.methods}
    for route in list(routes.routes):
        if isinstance(route, APIRoute) and "GET" in route.methods and route.path not in head:
            routes.add_api_route(  # the router adds its prefix and dependencies again
                route.path.removeprefix(routes.prefix), route.endpoint, methods=["HEAD"],
                include_in_schema=False, response_model=route.response_model,
                status_code=route.status_code, response_class=route.response_class,
                name=f"{route.name}_head",
                dependencies=[d for d in route.dependencies if d not in routes.dependencies])


answer_head(router)
