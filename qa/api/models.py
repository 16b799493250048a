"""Request and response models of the HTTP API, and the JSON form of what the service returns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qa.retrieve import Hit
from qa.service import MAX_QUERY_CHARS


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
    stream: bool = Field(False, description="Send server-sent events (see POST /ask).")


def hit_json(hit: Hit) -> dict[str, Any]:
    """A retrieval hit as JSON: the chunk with its provenance and scores."""
    return {**hit.chunk.public_dict(), "score": round(hit.score, 6),
            "scores": {"dense": round(hit.dense, 6), "lexical": round(hit.lexical, 6)}}
