"""`qa` as a model for OpenAI clients (the `openai` package, Open WebUI, LibreChat, ...):
`GET /v1/models` (and `/v1/models/{model}`) and `POST /v1/chat/completions`, streamed and
not, in the Chat Completions format.

The last user message is the question and the earlier user and assistant messages are the
conversation (read by the follow-up resolution); system messages and the parameters
clients always send (temperature, top_p, user, max_tokens, ...) are accepted and ignored.
A model other than the ones listed is a 404 (`code` "model_not_found", as OpenAI says it);
parameters asking for what qa cannot give (`n` > 1, a forced tool call, a JSON
`response_format`, `logprobs`) are 422s naming the parameter, not ignored.
Replies carry `usage` in tokens of the embedding model's tokenizer (`qa.api.models.Usage`);
a stream sends it in a last chunk when asked (`stream_options.include_usage`). Clients drop
fields they do not know, so citations travel in the content (`[n]` markers and a short
source list); the whole /ask reply rides along in the extra field `qa` for clients that
read it. Optional bearer key: QA_API_KEY.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic_core import PydanticCustomError

from qa.answer import Answer, Citation, Delta, Final
from qa.answer.llm import SOURCES_HEADING
from qa.api.errors import error_responses
from qa.api.models import AssistantMessage, ChatCompletion, Choice, ModelCard, ModelList, Usage
from qa.api.routes import Service, answer_head
from qa.api.sse import HEADERS, Offload, error_data, event, in_threads
from qa.errors import BadRequest, QAError, UnknownModel
from qa.service import QAService

log = logging.getLogger(__name__)

MODEL_ID = "qa"
SERVED = (MODEL_ID,)  # the model ids GET /v1/models lists and a request may name
# Messages of a chat read at most: the question and QA_HISTORY_TURNS (at most 1000) before it.
MESSAGES_READ = 1001
_STARTED = int(time.time())

_bearer = HTTPBearer(auto_error=False, description="The API key (QA_API_KEY), when set.")


async def authorized(svc: Service,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                     ) -> None:
    """Check the bearer key when QA_API_KEY is set (401 without one, 403 when wrong). A
    coroutine: the check never blocks, so FastAPI need not hand it to a worker thread."""
    svc.authorize_api(credentials.credentials if credentials else None)


router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(authorized)],
                   responses=error_responses(401, 403))


class Part(BaseModel):
    """A part of a message's content; only text parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[Part] | None = Field(None)

    @field_validator("content", mode="wrap")
    @classmethod
    def _one_error(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """One error for content of neither shape, not one per member of the union (whose
        names, `content.str` and `content.list[Part]`, mean nothing to a client)."""
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("content", 'content must be a string or a list of '
                                      'parts such as {"type": "text", "text": "..."}') from None

    def text(self) -> str:
        """The message's text (text parts joined)."""
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class StreamOptions(BaseModel):
    """`stream_options`: only `include_usage` is read (a last chunk with `usage`)."""

    model_config = ConfigDict(extra="allow")
    include_usage: bool = Field(False, strict=True)


class ChatRequest(BaseModel):
    """Body of POST /v1/chat/completions. Other fields clients send are ignored, except
    those asking for what qa cannot give (`unsupported`)."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, max_length=200, description="One of GET /v1/models.")
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = Field(False, strict=True)
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, strict=True, description="1: qa gives one answer.")
    logprobs: bool | None = Field(None, strict=True, description="false: qa has none.")
    response_format: dict[str, Any] | None = Field(
        None, description='{"type": "text"}: qa answers in text with citations.')
    tool_choice: Any = Field(None, description='"none" or "auto": qa calls no tools.')

    @field_validator("messages", mode="before")
    @classmethod
    def _latest(cls, value: Any) -> Any:
        """Only the latest messages, which are all the history limits let the service read:
        a chat client sends the whole conversation and cannot shorten it, so a long chat
        must not start failing (a cap of 200 messages did), nor cost validating thousands."""
        return value[-MESSAGES_READ:] if isinstance(value, list) else value

    def question_and_history(self) -> tuple[str, list[tuple[str, str]]]:
        """The last user message and the user and assistant messages before it; UnknownModel
        when the request names a model not served, BadRequest when it asks for what qa
        cannot give."""
        check_model(self.model)
        self.unsupported()
        last = self.messages[-1]
        if last.role != "user":
            raise BadRequest(f"the last message must be the user's question (role 'user'), "
                             f"not {last.role!r}")
        history = [(m.role, m.text()[:20_000]) for m in self.messages[:-1]
                   if m.role in ("user", "assistant")]
        parts = last.content if isinstance(last.content, list) else []
        kinds = ", ".join(sorted({p.type for p in parts if p.type != "text"}))
        if kinds and not last.text():
            raise BadRequest(f"the question has no text: qa reads only text parts of a "
                             f"message, and the last one has {kinds}")
        return last.text(), history

    def unsupported(self) -> None:
        """BadRequest for a parameter that asks for what qa cannot give, where ignoring it
        would hand the client something else than it asked for and reads: several choices
        (`n` > 1), a forced tool call (`tool_choice` "required" or a named function), a
        reply in JSON (`response_format` other than text), token probabilities
        (`logprobs`). The parameters that only tune a model (temperature, top_p,
        max_tokens, stop, seed, ...) are ignored."""
        if self.n is not None and self.n != 1:
            raise BadRequest(f"n is {self.n}: qa gives one answer per request, so send n 1 "
                             "or leave it out", param="n")
        if self.tool_choice not in (None, "none", "auto"):
            raise BadRequest("tool_choice asks for a tool call: qa answers in text and calls "
                             'no tools, so send "none" or "auto" or leave it out',
                             param="tool_choice")
        kind = (self.response_format or {}).get("type", "text")
        if kind != "text":
            raise BadRequest(f"response_format {str(kind)[:40]!r} is not supported: qa "
                             'answers in text with citations, so send {"type": "text"} or '
                             "leave it out", param="response_format")
        if self.logprobs:
            raise BadRequest("logprobs: qa has no token probabilities, so send false or leave "
                             "it out", param="logprobs")

    def include_usage(self) -> bool:
        """Whether a stream ends with a chunk of `usage` (`stream_options.include_usage`)."""
        return self.stream_options is not None and self.stream_options.include_usage


def check_model(model: str) -> None:
    """UnknownModel (404, OpenAI's `model_not_found`) for a model qa does not serve."""
    if model not in SERVED:
        raise UnknownModel(f"the model {model!r} does not exist: qa serves "
                           f"{', '.join(SERVED)} (GET /v1/models)", param="model",
                           code="model_not_found")


@router.get("/models", summary="The models served: qa")
async def models() -> ModelList:
    return ModelList(data=[ModelCard(id=m, created=_STARTED) for m in SERVED])


@router.get("/models/{model}", summary="One model served", responses=error_responses(404))
async def one_model(model: str) -> ModelCard:
    check_model(model)
    return ModelCard(id=model, created=_STARTED)


@router.post("/chat/completions", summary="An answer in the Chat Completions format",
             response_model=None,
             responses={200: {"model": ChatCompletion}, **error_responses(404)})
async def chat_completions(req: ChatRequest, svc: Service) -> ChatCompletion | StreamingResponse:
    question, history = req.question_and_history()
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if req.stream:
        stop = threading.Event()
        events = svc.ask_stream(question, history, None, stop)  # a bad question raises here
        count = partial(usage, svc, question, history) if req.include_usage() else None
        return StreamingResponse(chunks(events, stop, svc.offload, ident, created, req.model,
                                        count),
                                 media_type="text/event-stream", headers=HEADERS)
    answer = await svc.offload(svc.ask, question, history)
    reply = content(answer)
    return ChatCompletion(id=ident, created=created, model=req.model,
                          choices=[Choice(message=AssistantMessage(content=reply))],
                          usage=usage(svc, question, history, reply), qa=answer.to_dict())


def usage(svc: QAService, question: str, history: list[tuple[str, str]], reply: str) -> Usage:
    """The usage of a completion: the question and the earlier messages the answer read
    (the latest within the history limits), and the reply's content."""
    read = [question, *(text for _, text in svc.fit_history(history))]
    return Usage.of(svc.count_tokens(read), svc.count_tokens([reply]))


async def chunks(events: Iterator[Delta | Final], stop: threading.Event, offload: Offload,
                 ident: str, created: int, model: str,
                 count: Callable[[str], Usage] | None = None) -> AsyncIterator[str]:
    """The stream of `chat.completion.chunk`s: the role at once, the verified text as it
    comes, then the rest of the content (the answer when nothing was streamed, its notes
    and sources) with finish_reason "stop" and the `qa` field; `data: [DONE]` at the end.
    With `count` (the usage of the content sent), as OpenAI does for `include_usage`:
    every chunk has `"usage": null` and a last one, with no choices, the usage. An error
    mid-stream is an `{"error": ...}` event, as the openai client reads it."""
    counted = {"usage": None} if count is not None else {}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        return event({"id": ident, "object": "chat.completion.chunk", "created": created,
                      "model": model, "choices": [{"index": 0, "delta": delta,
                                                   "finish_reason": finish, "logprobs": None}],
                      **counted, **extra})

    yield chunk({"role": "assistant", "content": ""})
    sent: list[str] = []
    try:
        async for e in in_threads(events, stop, offload):
            if isinstance(e, Delta):
                sent.append(e.text)
                yield chunk({"content": e.text})
                continue
            head = "" if sent and not e.replaced else e.answer.answer
            if sent and e.replaced:
                head = "\n\n" + head  # never expected: shown sentences are not taken back
            sent.append(head + tail(e.answer))
            yield chunk({"content": sent[-1]}, "stop", qa=e.answer.to_dict())
        if count is not None:
            yield event({"id": ident, "object": "chat.completion.chunk", "created": created,
                         "model": model, "choices": [],
                         "usage": count("".join(sent)).model_dump()})
    except QAError as exc:  # the stream has begun: the error is its last event
        yield event(error_data(exc))
    except Exception:
        log.exception("streamed chat completion failed")
        yield event(error_data())
    yield "data: [DONE]\n\n"


def content(answer: Answer) -> str:
    """The reply as a chat client shows it: the answer, then its notes and sources."""
    return answer.answer + tail(answer)


def tail(answer: Answer) -> str:
    """What follows the answer's text: a quiet line of notes (what verification did), and
    the sources, one line each."""
    out = ""
    if answer.notes:
        out += "\n\n_" + " ".join(answer.notes) + "_"
    if answer.citations:
        out += SOURCES_HEADING + "\n" + "\n".join(f"- {source_line(c)}" for c in answer.citations)
    return out


def source_line(c: Citation) -> str:
    """A citation in one line: document, section, line; a table row as its cells."""
    ch = c.chunk
    lines = (f"line {ch.line_start}" if ch.line_start == ch.line_end
             else f"lines {ch.line_start}-{ch.line_end}")
    where = ", ".join(p for p in (ch.doc, ch.section, lines) if p)
    if ch.kind == "table_row":
        cells = "; ".join(f"{h}: {v}" if h and h != v else v
                          for h, v in zip(ch.header, ch.cells) if v)
        return f"[{c.n}] {where}: {cells}"
    return f"[{c.n}] {where}"


answer_head(router)
