"""`POST /retrieve` and `POST /ask` answered without FastAPI's request machinery: the
requests measured most.

FastAPI's way through a request (its middleware stack, routing past the other routes,
dependency solving, the body parsed, validated and the result wrapped) costs more CPU than
the search itself. Without it: 0.6 CPU-ms less a request in process (`scripts/
http_overhead.py`, "app /retrieve" 8.50 vs "app (no lane)" 9.09 ms, load 5-6), and over
loopback the server's CPU a /retrieve 0.2 ms (analysis) and 0.4 ms (TAT-QA) below main's
(`scripts/latency.py --baseline`, 600 requests each, interleaved, load 7-10). For /ask,
over loopback beside a server without the /ask lane on the same index, the same questions
in shuffled order: /ask p50 minus /retrieve p50 3.4-4.6 ms instead of 4.3-6.8 (5 runs, load
3-8; `scripts/side_by_side.py`).

`Lane` sits inside `RequestLimits` (which has read the whole body by then) and answers a
`POST /retrieve` or a non-streaming `POST /ask` with a JSON body that validates as the
route itself would validate it (`json.loads`, then the route's request model, then the
service's own checks), by the same service call and the same response body
(`retrieval_body`, `answer_body`). Anything else (an event stream, another path, a body
that does not validate) and any such request the service refuses or fails on goes on to
the application untouched (the body replayed), so errors keep their one shape and status,
and the routes, their OpenAPI description and their tests stay FastAPI's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from qa.api.limits import prepend, replay
from qa.api.models import AskRequest, RetrieveRequest, answer_body, retrieval_body
from qa.service import QAService

JSON = b"application/json"


async def _retrieve(service: QAService, body: bytes) -> bytes | None:
    req = RetrieveRequest.model_validate(json.loads(body))
    return retrieval_body(await service.retrieve_async(req.query, req.k, req.doc, req.kind))


async def _ask(service: QAService, body: bytes) -> bytes | None:
    req = AskRequest.model_validate(json.loads(body))
    if req.stream:
        return None  # an event stream: the route sends it
    history = service.check_history(req.turns())
    return answer_body(await service.offload(service.ask, req.question, history, req.doc))


# The paths the lane answers, each with how it turns a request body into a response body
# (None: the application answers it).
ANSWERED: dict[str, Callable[[QAService, bytes], Awaitable[bytes | None]]] = {
    "/retrieve": _retrieve, "/ask": _ask}


class Lane:
    """Answer well-formed `POST /retrieve` and `POST /ask` requests directly; pass everything
    else on."""

    def __init__(self, app: ASGIApp, service: QAService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = ANSWERED.get(scope["path"]) if scope["type"] == "http" else None
        if answer is None or scope["method"] != "POST" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        message = await receive()  # the whole body: RequestLimits has read it
        if message["type"] != "http.request" or message.get("more_body", False):
            await self.app(scope, prepend(message, receive), send)
            return
        body = message.get("body", b"")
        try:
            content = await answer(self.service, body)
        except Exception:  # noqa: BLE001 - invalid, refused or failed: the app answers it
            content = None
        if content is None:
            await self.app(scope, replay(body, receive), send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(content)).encode()), (b"content-type", JSON)]})
        await send({"type": "http.response.body", "body": content})


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == JSON
    return False
