"""The one error shape of the HTTP API, `{"error": {"type", "message", ...}}`, and the
handlers that translate domain and validation errors into it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from qa.errors import QAError


def error_response(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    """A JSON error in the one shape."""
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


def install_error_handlers(app: FastAPI) -> None:
    """Answer domain errors and invalid requests in the one error shape."""

    @app.exception_handler(QAError)
    async def qa_error(request: Request, exc: QAError) -> JSONResponse:
        return error_response(exc.status, type(exc).__name__, exc.message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return error_response(422, "ValidationError", message, details=details)
