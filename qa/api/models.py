"""Request and response models of the HTTP API, and the JSON form of what the service returns."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qa.answer import Answer
from qa.catalog import Catalog, DocumentInfo
from qa.retrieve import Hit
from qa.service import MAX_QUERY_CHARS, Added, Retrieval


class RetrieveRequest(BaseModel):
    """Body of POST /retrieve."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(..., min_length=1, max_length=MAX_QUERY_CHARS, examples=[
        "regional impact of the military aspect"])
    k: int = Field(5, ge=1, le=50, strict=True, description="How many results (a JSON integer).")
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
    stream: bool = Field(False, strict=True,
                         description="Send server-sent events (see POST /ask).")

    def turns(self) -> list[tuple[str, str]]:
        """The history as (role, content) pairs, as the service takes it."""
        return [(m.role, m.content) for m in self.history]


def hit_json(hit: Hit) -> dict[str, Any]:
    """A retrieval hit as JSON: the chunk with its provenance and scores."""
    return {**hit.chunk.public_dict(), "score": round(hit.score, 6),
            "scores": {"dense": round(hit.dense, 6), "lexical": round(hit.lexical, 6)}}


def retrieval_body(res: Retrieval) -> bytes:
    """The body of a /retrieve response: the version and the hits, as JSON (UTF-8), byte
    for byte `json.dumps({"version": ..., "results": [hit_json(h), ...]},
    ensure_ascii=False)`.

    A chunk's fields are written once (`Chunk.public_json`, without its closing brace
    here) and only the scores per request: half the CPU of dumping every hit's fields
    again, on the path measured most."""
    results = ", ".join(
        f'{h.chunk.public_json[:-1]}, "score": {_number(h.score)}, "scores": '
        f'{{"dense": {_number(h.dense)}, "lexical": {_number(h.lexical)}}}}}'
        for h in res.hits)
    return f'{{"version": {json.dumps(res.version, ensure_ascii=False)}, "results": ' \
        f'[{results}]}}'.encode()


def _number(score: float) -> str:
    """A score rounded as `hit_json` rounds it, written as `json.dumps` writes it."""
    x = round(score, 6)
    return float.__repr__(x) if math.isfinite(x) else json.dumps(x)


def answer_body(answer: Answer) -> bytes:
    """The body of a non-streaming /ask response: the answer's JSON fields (UTF-8), written
    as FastAPI's JSONResponse writes them (compact, no NaN)."""
    return json.dumps(answer.to_dict(), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode()


class Document(BaseModel):
    """An indexed document."""

    name: str = Field(..., description="Its path in the corpus: what `doc` takes.")
    title: str = Field(..., description="Its first heading, else its file name.")
    format: str = Field(..., description="markdown, text, html, docx, xlsx, csv or pdf.")
    pages: int | None = Field(None, description="Pages, for paged formats (PDF).")
    chunks: int = Field(..., description="Passages and table rows indexed from it.")

    @classmethod
    def of(cls, d: DocumentInfo) -> Document:
        """The model of a service DocumentInfo."""
        return cls(**d.to_dict())


class SkippedFile(BaseModel):
    """A corpus file left out of the index."""

    path: str
    reason: str


class DocumentsResponse(BaseModel):
    """Body of GET /documents."""

    version: str = Field(..., description="The index version described.")
    documents: list[Document]
    skipped: list[SkippedFile] = Field(..., description="Corpus files not indexed, and why.")

    @classmethod
    def of(cls, c: Catalog) -> DocumentsResponse:
        """The model of a service Catalog."""
        return cls(version=c.version, documents=[Document.of(d) for d in c.documents],
                   skipped=[SkippedFile(path=p, reason=r) for p, r in c.skipped])


class AddedResponse(BaseModel):
    """Body of POST /documents."""

    version: str = Field(..., description="The index version now served.")
    document: Document | None = Field(..., description="The document as indexed; null if "
                                      "the build left it out (see report.skipped).")
    replaced: bool = Field(..., description="Whether it replaced a file of the same name.")
    report: dict[str, Any] = Field(..., description="The build's report.")

    @classmethod
    def of(cls, a: Added) -> AddedResponse:
        """The model of a service Added."""
        return cls(version=a.version, document=Document.of(a.document) if a.document else None,
                   replaced=a.replaced, report=a.report.to_dict())


# --- the OpenAI-compatible endpoints (/v1) ----------------------------------------------


class ModelCard(BaseModel):
    """A model `qa` serves, as `GET /v1/models` lists it."""

    id: str
    object: Literal["model"] = "model"
    created: int = Field(..., description="When the server started (Unix seconds).")
    owned_by: str = "qa"


class ModelList(BaseModel):
    """Body of GET /v1/models."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


class Usage(BaseModel):
    """What a completion read and wrote, in tokens of the embedding model's tokenizer
    (its WordPiece: `qa` has no LLM tokenizer of its own), special tokens not counted:
    `prompt_tokens` of the question and the earlier messages read (those within
    QA_HISTORY_TURNS and QA_HISTORY_CHARS), `completion_tokens` of the reply's content."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, prompt: int, completion: int) -> Usage:
        """The usage of a prompt and a completion of these sizes."""
        return cls(prompt_tokens=prompt, completion_tokens=completion,
                   total_tokens=prompt + completion)


class AssistantMessage(BaseModel):
    """The reply's message: the answer, its notes and its sources, as a chat shows them."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The one choice of a completion."""

    index: int = 0
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None
    message: AssistantMessage


class ChatCompletion(BaseModel):
    """Body of a non-streaming POST /v1/chat/completions; `qa` is the /ask reply."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    qa: dict[str, Any] = Field(..., description="The whole /ask reply (citations, ...).")
