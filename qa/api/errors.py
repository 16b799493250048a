"""The one error shape of the HTTP API, `{"error": {"type", "message", ...}}`: its models (so
OpenAPI documents what is sent), the handlers that translate every error into it (domain
errors, validation, FastAPI's and Starlette's HTTP errors, anything unexpected), and the
raw form used by the layers below FastAPI (request limits, the chat page's guard, the
server protocol). Every router answers errors through these."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from qa.errors import QAError


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(..., description="Dotted path of the field, or `body`.")
    message: str


class ErrorDetail(BaseModel):
    """What went wrong: a type name (`ValidationError`, `NotFound`, ...) and a message that
    says how to fix it; `details` lists the invalid fields of a 422."""

    type: str
    message: str
    details: list[FieldError] | None = None
    param: str | None = Field(None, description="/v1 only, as OpenAI names it: the field "
                              "at fault (`model`).")
    code: str | None = Field(None, description="/v1 only, as OpenAI names it: what went "
                             "wrong (`model_not_found`).")


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


# What each status means in this API, for the OpenAPI description of each operation.
STATUS_MEANING = {
    400: "The body could not be read: not UTF-8, not parseable JSON (too deep, or a number "
         "too long).",
    401: "The admin token is missing.",
    403: "The admin token is wrong.",
    404: "Not found (an unknown chunk or version; or the feature is switched off).",
    405: "This path does not take this method.",
    409: "The uploaded content is already indexed (under the name given).",
    408: "The request was not received in time (QA_HEADER_TIMEOUT, QA_BODY_TIMEOUT).",
    413: "The body is larger than QA_MAX_BODY_BYTES.",
    415: "The body is compressed (Content-Encoding): send it uncompressed; or the uploaded "
         "file is of a type qa does not read.",
    422: "The request is invalid; `details` names each invalid field.",
    500: "An unexpected error; it has been logged.",
    503: "The index is not loaded, damaged or built with other settings; or the server is at "
         "its connection limit (QA_MAX_CONNECTIONS).",
}
# Statuses any operation may answer: the request layers (body, time, encoding, connections)
# and faults.
COMMON_STATUSES = (400, 408, 413, 415, 422, 500, 503)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for an operation: the common statuses and the given ones, each
    documented with the one error shape."""
    return {s: {"model": ErrorBody, "description": STATUS_MEANING[s]}
            for s in sorted({*COMMON_STATUSES, *statuses})}


# Names fixed here rather than taken from `http.HTTPStatus`, whose phrases change between
# Python versions (413 became "Content Too Large" in 3.13).
_TYPES = {413: "ContentTooLarge", 422: "ValidationError", 500: "InternalError"}


def type_for(status: int) -> str:
    """The error type for an HTTP status without a more specific one (`NotFound`)."""
    if status in _TYPES:
        return _TYPES[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "Error"
    return "".join(w[:1].upper() + w[1:] for w in phrase.replace("-", " ").split())


def error_content(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one shape as a JSON-ready dict."""
    return {"error": {"type": kind, "message": message, **extra}}


def error_response(status: int, kind: str, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    """A JSON error in the one shape."""
    return JSONResponse(status_code=status, content=error_content(kind, message, **extra),
                        headers=headers)


async def send_error(send: Send, status: int, message: str, kind: str | None = None,
                     headers: list[tuple[bytes, bytes]] | None = None,
                     close: bool = False) -> None:
    """Answer an error in the one shape from a raw ASGI layer. `close` asks the server to
    close the connection afterwards (a body left unread, a client too slow)."""
    body = json.dumps(error_content(kind or type_for(status), message)).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            *(headers or [])]
    if close:
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


def raw_error(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 error response in the one shape that closes the connection, for the
    server protocol, which answers before any application runs."""
    body = json.dumps(error_content(type_for(status), message)).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: application/json"
            f"\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode() + body


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


def _json_typed(request: Request) -> bool:
    """Whether a request's Content-Type is JSON (`application/json`, `application/*+json`),
    as FastAPI decides whether to read its body as JSON."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/")
                                          and kind.endswith("+json"))


# FastAPI answers a body it cannot parse (not UTF-8, nested too deep, an integer of
# thousands of digits) with this detail; ours says what to send instead.
_UNPARSEABLE = "There was an error parsing the body"


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the one error shape: domain errors, invalid requests, HTTP
    errors raised by FastAPI or Starlette (unknown path, wrong method, unreadable body),
    and anything unexpected (a 500, logged with its traceback, never shown)."""

    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError) -> JSONResponse:
        return error_response(exc.status, type(exc).__name__, exc.message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        if not _json_typed(request) and any(d["field"] == "body" for d in details):
            # FastAPI reads a body as JSON only when its type says so; `curl -d` sends
            # form-encoded, and "Input should be a valid dictionary" does not say that.
            sent = request.headers.get("content-type") or "none"
            message = (f"body: send it as JSON with the header `Content-Type: "
                       f"application/json` (this request's Content-Type: {sent[:100]})")
            details = [{"field": "body", "message": message[len("body: "):]}]
        return error_response(422, "ValidationError", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 400 and message == _UNPARSEABLE:
            message = ("the body could not be read: send UTF-8 JSON, nested less than a few "
                       "hundred levels, with numbers of at most a few thousand digits")
        elif exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint (the API is described at /docs)"
        elif exc.status_code == 405:
            message = f"this path does not take {request.method}"
        return error_response(exc.status_code, type_for(exc.status_code), message,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette re-raises it after this answer, so the server logs the traceback.
        return error_response(500, "InternalError", "an unexpected error occurred; it has "
                              "been logged")
