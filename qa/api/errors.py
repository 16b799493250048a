"""The one error shape of the HTTP API, `{"error": {"type", "message", ...}}`, the handlers
that translate domain and validation errors into it, and its raw form for the ASGI layers
below FastAPI (the chat page's guard)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import Send

from qa.errors import QAError


def type_for(status: int) -> str:
    """The error type for an HTTP status without a more specific one (`NotFound`)."""
    if status == 422:
        return "ValidationError"
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


def install_error_handlers(app: FastAPI) -> None:
    """Answer domain errors and invalid requests in the one error shape."""

    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError) -> JSONResponse:
        return error_response(exc.status, type(exc).__name__, exc.message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return error_response(422, "ValidationError", message, details=details)
