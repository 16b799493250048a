"""The routes of our API: health, retrieve, ask, chunks and rebuild, each one call into the
service."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from qa.api.models import AskRequest, RetrieveRequest, hit_json
from qa.service import QAService

router = APIRouter()

# auto_error=False: a missing token is the service's Unauthorized, in the one error shape.
_admin_bearer = HTTPBearer(auto_error=False, description="The admin token (QA_ADMIN_TOKEN).")


def service(request: Request) -> QAService:
    """The app's one service object."""
    return request.app.state.service


Service = Annotated[QAService, Depends(service)]


@router.get("/health", summary="Index facts, once it is loaded")
def health(svc: Service) -> dict[str, Any]:
    return svc.health()


# /retrieve hands only its query's encoding to the service's encoder thread (one thread
# hand-over; queries that arrive together are encoded in one batch) and searches on the
# loop. /ask runs on an answer thread, which hands only the encoding to the encoder thread,
# so a slow answer never delays another request's retrieval.
@router.post("/retrieve", summary="Passages and table rows for a query")
async def retrieve(req: RetrieveRequest, svc: Service) -> dict[str, Any]:
    res = await svc.retrieve_async(req.query, req.k, req.doc, req.kind)
    # Plain JSON types already: written out directly rather than walked again by FastAPI's
    # response encoder (a fraction of a millisecond on the path measured most).
    body = {"version": res.version, "results": [hit_json(h) for h in res.hits]}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


@router.post("/ask", summary="A short answer with numbered citations")
async def ask(req: AskRequest, svc: Service) -> dict[str, Any]:
    history = [(m.role, m.content) for m in req.history]
    return (await svc.offload(svc.ask, req.question, history, req.doc)).to_dict()


@router.get("/chunks/{chunk_id}", summary="A cited chunk and its section, in a given version")
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


@router.post("/index/rebuild", summary="Rebuild the index from the corpus and serve it")
def rebuild(
    svc: Service,
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
