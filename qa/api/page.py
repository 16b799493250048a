"""The chat page mounted at `/`, serving only what the page uses.

Why this is more than `gr.mount_gradio_app`: Gradio (checked on 6.31.0) moves every file
reference it finds in an event's input (`{"path": ..., "meta": {"_type":
"gradio.FileData"}}`, whatever the component) into its cache and serves it from
`/gradio_api/file=`. What may be moved is decided by `processing_utils._check_allowed`,
which returns at once for a `Blocks` whose `has_launched` is false, and only
`Blocks.launch()` sets it: `mount_gradio_app` never does. So anyone who could reach the
page could read any file the server can (`/etc/shadow`, `/proc/self/environ` with the admin
token), and `/dev/zero` hung the event loop (Gradio hashes the file on it). Three layers,
each enough on its own for that request:

1. the page is marked launched, so Gradio's own check admits only files in its upload
   folder (the check then runs with `check_in_upload_folder=True`);
2. that folder is a private one of this process (`GRADIO_TEMP_DIR`, made with mode 0700,
   removed at exit) instead of the machine-wide `/tmp/gradio`, and nothing can be put in
   it: uploads are not served;
3. `PageGuard` serves only the routes the page uses (no upload, no `file=`, no `proxy=`,
   no REST `call`/`run`, no run history, no recording) and refuses an event whose JSON
   holds a file reference (any object with a `path`, `url` or `meta` key: Gradio's file
   and URL references all have them, and the page's inputs are text) before Gradio sees
   it. Anything else under the page's mount is answered in the API's error shape: 405 for
   an API path with the wrong method, else 404.

An event must also be one Gradio can run without failing in its queue, where a failure is
logged with a traceback after the client was told 200 (`EventSpec`, from the page's own
events): it names an event of the page with a server-side function (the page's
JavaScript-only and cancelling events have none), sends one value per input, text (or
null) to a text input, and, to a select event, the selection as an object with `index` and
`value`. Anything else is a 422 saying what was wrong, before Gradio sees it.

`PageGuard` also answers Gradio's own errors in that shape, drops request headers Gradio
copies into a response (`file=` copied `Cookie` into a `Range` response), and keeps the
404 that Gradio's event stream raises for an unknown `session_hash` after it has started
answering from writing a 7 KB traceback per request to the log.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import shutil
import tempfile
import typing
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.api.errors import error_content, send_error, type_for
from qa.api.limits import replay
from qa.service import QAService

log = logging.getLogger(__name__)

# The routes the page uses, found by driving it in Chromium (load, ask, follow up, select,
# open a source, start over) and reading the access log. HEAD is allowed where GET is.
PAGE_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GET", re.compile(r"/|/config/?|/theme\.css|/favicon\.ico|/manifest\.json|/robots\.txt")),
    ("GET", re.compile(r"/(assets|static)/[^\x00]+")),
    ("GET", re.compile(r"/gradio_api/queue/data")),
    # A session hash as Gradio's clients make them (base 36, or a UUID): Gradio builds a URL
    # of the path, and a control character in it was an InvalidURL and a traceback.
    ("GET", re.compile(r"/gradio_api/heartbeat/[A-Za-z0-9_-]{1,128}")),
    ("POST", re.compile(r"/gradio_api/queue/join")),
    ("POST", re.compile(r"/gradio_api/cancel")),
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# Keys that make a JSON object a file or URL reference to Gradio (FileData needs `path`).
FILE_KEYS = frozenset({"path", "url", "meta"})
# Request headers that have no place in a response (Gradio's `file=` copied them all).
REQUEST_HEADERS = frozenset({b"cookie", b"authorization", b"proxy-authorization"})

@dataclass(frozen=True)
class EventSpec:
    """What a page event must carry for Gradio to run it: per input, whether its value is
    text (a string or null); whether its function reads the selection (`gr.SelectData`)."""

    text: tuple[bool, ...]
    selects: bool = False


def event_specs(page: Any) -> dict[int, EventSpec]:
    """The events of a Gradio page that run a function on the server, by `fn_index`."""
    import gradio as gr

    specs = {}
    for index, block_fn in page.fns.items():
        if block_fn.fn is None:  # JavaScript only, or a cancel: never sent to the queue
            continue
        text = tuple(isinstance(c, gr.Textbox | gr.Button) or (
            isinstance(c, gr.Dropdown) and not c.multiselect) for c in block_fn.inputs)
        try:
            hints = typing.get_type_hints(block_fn.fn).values()
        except Exception:  # noqa: BLE001 - an annotation that does not resolve: none read
            hints = ()
        selects = any(isinstance(h, type) and issubclass(h, gr.SelectData) for h in hints)
        specs[index] = EventSpec(text, selects)
    return specs


def event_problem(event: dict[str, Any], specs: dict[int, EventSpec]) -> str | None:
    """What is wrong with a page event (the JSON body of `queue/join`) for the page's
    events, or None. An event without `fn_index` is left to Gradio (a clean 400)."""
    fn_index = event.get("fn_index")
    if fn_index is None:
        return None
    spec = specs.get(fn_index) if type(fn_index) is int else None
    if spec is None:
        return "fn_index names no event of the chat page"
    data = event.get("data")
    if not isinstance(data, list) or len(data) != len(spec.text):
        return f"data must be a list of the event's {len(spec.text)} input values"
    for at, (value, text) in enumerate(zip(data, spec.text)):
        if text and not (value is None or isinstance(value, str)):
            return f"data[{at}] must be a string or null"
    selection = event.get("event_data")
    if spec.selects and not (isinstance(selection, dict)
                             and {"index", "value"} <= selection.keys()):
        return "event_data must be the selection: an object with `index` and `value`"
    return None


def private_gradio_cache() -> str:
    """Point Gradio's upload and cache folder (`GRADIO_TEMP_DIR`) at a folder of this
    process, made once with mode 0700 and removed at exit, unless the operator set one."""
    chosen = os.environ.get("GRADIO_TEMP_DIR")
    if chosen:
        return chosen
    folder = tempfile.mkdtemp(prefix="qa-gradio-")
    os.environ["GRADIO_TEMP_DIR"] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def mount_page(app: FastAPI, service: QAService) -> FastAPI:
    """Mount the chat page at `/` behind `PageGuard`; returns the app."""
    import gradio as gr

    from qa.ui import PAGE_CSS, build_ui

    private_gradio_cache()  # before the page's components read it
    page = build_ui(service)
    # The page is served from here: Gradio's file check must run as for a launched app.
    page.has_launched = True
    app = gr.mount_gradio_app(app, page, path="/", footer_links=["gradio", "settings"],
                              run_history=False, css=PAGE_CSS)
    mount = app.router.routes[-1]
    if not isinstance(mount, Mount) or mount.path != "":
        raise RuntimeError("gradio.mount_gradio_app did not add its mount last")
    mount.app = PageGuard(mount.app, app.router, event_specs(page))
    return app


def holds_file_reference(value: Any) -> bool:
    """True when a JSON value holds an object with a `path`, `url` or `meta` key anywhere."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if FILE_KEYS & v.keys():
                return True
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


class PageGuard:
    """ASGI layer in front of the Gradio app: only the page's routes, no file references in
    events, every refusal in the API's error shape."""

    def __init__(self, app: ASGIApp, api: Router,
                 events: dict[int, EventSpec] | None = None) -> None:
        self.app = app
        self.api = api
        # The page's events by number (`fn_index`, as Gradio keys them), once it is built.
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the page uses none
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):] or "/"
        served = [m for m, pattern in PAGE_ROUTES if pattern.fullmatch(path)]
        if method not in served and not (method == "HEAD" and "GET" in served):
            await self._refuse(scope, send, served)
            return
        if method == "POST":
            body = await self._event_body(path, receive, send)
            if body is None:
                return
            receive = replay(body, receive)
        response = _Response(send)
        try:
            await self.app(scope, receive, response.send)
        except Exception as exc:
            # Gradio's event stream raises a 404 after it has started answering (an unknown
            # session_hash), which the server would log as a 7 KB traceback per request.
            if not response.started or not _client_error(exc):
                raise
            log.debug("%s %s: %s", method, path, exc)
            await response.finish()

    def _api_serves(self, scope: Scope, method: str) -> bool:
        """Whether a route of the API (not the page) takes `method` at this scope's path."""
        probe = {**scope, "method": method}
        return any(route.matches(probe)[0] is Match.FULL for route in self.api.routes
                   if not (isinstance(route, Mount) and route.path == ""))

    async def _refuse(self, scope: Scope, send: Send, served: list[str]) -> None:
        """405 for a path served with other methods (the page's or an API route), else 404."""
        allowed = set(served) | {m for m in METHODS if self._api_serves(scope, m)}
        if allowed:  # the path is not echoed: nothing a client sends comes back to it
            await send_error(send, 405, f"this path does not take {scope['method']}; it "
                             f"takes {', '.join(sorted(allowed))}",
                             headers=[(b"allow", ", ".join(sorted(allowed)).encode())])
        else:
            await send_error(send, 404, "no such page or endpoint (the API is described at "
                             "/docs)")

    async def _event_body(self, path: str, receive: Receive, send: Send) -> bytes | None:
        """The whole body of a page event if it may go to Gradio; else None, answered. Its
        size and time are bounded by `RequestLimits`, which has already read it. An event
        must be one of the page's, as it sends it (`event_problem`): Gradio looks an unknown
        `fn_index` up unguarded (a 500 with a traceback in the log), and fails in its queue
        on wrong inputs (a traceback after a 200)."""
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            event = json.loads(body)
        except (ValueError, RecursionError):
            await send_error(send, 422, "a page event must be a JSON object")
            return None
        if holds_file_reference(event):
            await send_error(send, 422, "the chat page takes text only: file and URL "
                             "references are refused")
            return None
        if self.events is not None and path.endswith("/queue/join") and isinstance(event, dict):
            problem = event_problem(event, self.events)
            if problem is not None:
                await send_error(send, 422, problem)
                return None
        return body


class _Response:
    """The Gradio app's `send`, with request headers it copies (`Cookie`, `Authorization`,
    as `file=` did for a `Range` request) dropped, and its error bodies (`{"detail": ...}`,
    plain text) answered in the API's error shape."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.done = False
        self._error: Message | None = None  # the start of an error response being rewritten
        self._body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = [(k, v) for k, v in message.get("headers", [])
                       if k.lower() not in REQUEST_HEADERS]
            message = {**message, "headers": headers}
            if message["status"] >= 400:
                self._error = message
                return
        elif message["type"] == "http.response.body":
            self.done = not message.get("more_body", False)
            if self._error is not None:
                self._body.append(message.get("body", b""))
                if self.done:
                    await self._send_error()
                return
        await self._send(message)

    async def finish(self) -> None:
        """End a response the app left unfinished."""
        if not self.done:
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _send_error(self) -> None:
        assert self._error is not None
        status = self._error["status"]
        text = b"".join(self._body).decode("utf-8", "replace")
        try:
            detail = json.loads(text)
        except ValueError:
            detail = text
        if isinstance(detail, dict) and isinstance(detail.get("error"), dict):
            content = detail  # already in the one shape
        else:
            if isinstance(detail, dict):
                detail = detail.get("detail", detail)
            if isinstance(detail, list):  # FastAPI's validation errors
                detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d)
                                   for d in detail)
            message = str(detail).strip()[:300] or HTTPStatus(status).phrase
            content = error_content(type_for(status), message)
        body = json.dumps(content).encode()
        keep = [(k, v) for k, v in self._error["headers"]
                if k.lower() not in (b"content-type", b"content-length", b"content-encoding")]
        await self._send({**self._error, "headers": [
            *keep, (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())]})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})


def _client_error(exc: BaseException) -> bool:
    """Whether an exception is, or was caused by, an HTTP error of the client's (4xx)."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, StarletteHTTPException):
            return e.status_code < 500
        e = e.__cause__ or e.__context__
    return False
