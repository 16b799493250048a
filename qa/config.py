"""The one settings object: read from `QA_*` environment variables, overridden by CLI flags."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Nothing may be downloaded at run time: the default model ships in a Python package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every tunable of the service. Environment: `QA_<FIELD>` (e.g. `QA_CORPUS`, `QA_INDEX`)."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore", frozen=True)

    corpus: Path = Field(Path("corpus"), description="Folder of documents (Markdown, text, HTML, "
                         "DOCX, XLSX, CSV, PDF).")
    index: Path = Field(Path("index"), description="Folder of the built index.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Embedding model: the packaged default, a local folder, or a cached name.",
    )
    batch_size: int = Field(64, ge=1, le=4096)
    # int8w is the default since scored by score.py on every set (README, "int8w as the
    # default": no part of a set loses more than one question net against fp32; /retrieve
    # p50 1.6-3.8 ms lower at 0.7-0.8x the encoding's CPU).
    precision: Literal["fp32", "int8", "int8w"] = Field(
        "int8w", description="Weights of the ONNX encoder `qa build` exports and indexes with: "
        "int8w (int8 weights: about 0.7x fp32's CPU per query, vectors at cosine >= 0.998 to "
        "fp32), fp32 (the model's own vectors) or int8 (dynamic quantisation: about 0.4x the "
        "CPU, cosine >= 0.98); see scripts/encoders.py. Changing it needs `qa build` (`qa "
        "serve` rebuilds on start).")
    query_threads: int = Field(  # qa.encoder.COMPUTE_THREADS: why 2
        2, ge=1, le=64, description="Threads that encode one query (or one "
        "batch of queries); the extra ones sleep between operators rather than spin. 2 "
        "shortens a query's encoding by about a quarter at the same CPU a query as 1 "
        "(scripts/encoder_options.py, scripts/load.py --query-threads).")
    encoder_cache: Path = Field(
        Path("~/.cache/qa/encoders").expanduser(),
        description="Where `qa build` keeps the ONNX exports of models, one per model hash.")

    # Parsing and chunking.
    max_file_bytes: int = Field(20_000_000, ge=1, description="Larger files are skipped.")
    max_line_chars: int = Field(100_000, ge=100, description="Files with a longer line are skipped.")
    passage_chars: int = Field(500, ge=100, le=4000, description="Upper size of a passage.")

    # Retrieval.
    candidates: int = Field(50, ge=5, le=1000, description="Hits per retriever before fusion.")
    fusion: Literal["relative", "rrf"] = Field(
        "relative", description="How dense and BM25 results are fused: scaled scores or ranks."
    )
    dense_weight: float = Field(0.4, ge=0.0, le=1.0, description="Share of dense in fusion.")
    label_boost: float = Field(
        0.1, ge=0.0, le=1.0, description="Added to a table row whose whole label the query holds."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")

    # Service.
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    admin_token: SecretStr | None = Field(
        None, description="Token for POST /index/rebuild; the endpoint is off when unset."
    )
    watch: bool = Field(
        False, description="While serving, rebuild when the corpus changes and load versions "
        "another process makes live (`qa serve --watch`).")
    watch_debounce_ms: int = Field(
        1500, ge=50, description="With watch: rebuild once the corpus has been quiet this long.")
    api_key: SecretStr | None = Field(
        None, description="Bearer key the OpenAI-compatible endpoints (/v1/...) ask for; open "
        "when unset. Environment only.")

    # The optional LLM answerer (off unless llm_url is set). The key comes only from the
    # environment and is never logged.
    llm_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp's "
        "server), e.g. http://127.0.0.1:8080/v1; unset: extractive answers only.")
    llm_model: str | None = Field(
        None, description="Model name sent to the LLM server; unset: the first it lists.")
    llm_api_key: SecretStr | None = Field(None, description="Key for the LLM server, if it needs one.")
    llm_connect_timeout: float = Field(
        3.0, gt=0, le=60, description="Seconds to reach the LLM server before answering without it.")
    llm_first_token_timeout: float = Field(
        30.0, gt=0, le=600, description="Seconds to wait for the LLM's first words (and between "
        "any two) before answering without it.")
    llm_timeout: float = Field(
        60.0, gt=0, le=1800, description="Seconds an LLM answer may take in all; what it wrote "
        "and passed verification by then stands.")
    llm_max_tokens: int = Field(256, ge=16, le=4096, description="Longest LLM answer, in tokens.")
    llm_sources: int = Field(
        6, ge=1, le=20, description="How many retrieved chunks the LLM sees as numbered sources "
        "(more: more it can use, a longer prompt to read).")

    # The page over the index; each unset one is derived from the index (`qa.catalog`).
    page_title: str | None = Field(None, description="Title of the chat page (default: from "
                                   "the document titles).")
    page_intro: str | None = Field(None, description="Introduction under the title.")
    page_examples: list[str] | None = Field(
        None, description="Example questions (JSON list; default: made from the index's "
        "headings and table rows, kept if they can be answered).")
    not_covered: str | None = Field(None, description="What an answer says when the "
                                    "documents do not cover a question.")

    # Request limits (`qa serve`): what one client may hold of the server.
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Larger request bodies are refused with 413 before "
        "they are read.")
    header_timeout: float = Field(
        10.0, gt=0, le=3600, description="Seconds a connection has to send a request's line "
        "and headers (from its opening, or from the end of the previous response).")
    body_timeout: float = Field(
        30.0, gt=0, le=3600, description="Seconds a request has to send its whole body once "
        "its headers are in; later, 408.")
    keepalive_timeout: float = Field(
        5.0, gt=0, le=3600, description="Seconds an idle connection is kept open between "
        "requests.")
    max_connections: int = Field(
        256, ge=1, description="Open connections at most; one more is answered 503 and "
        "closed.")
    history_turns: int = Field(
        20, ge=0, le=1000, description="Messages of `history` at most in one /ask.")
    history_chars: int = Field(
        8000, ge=0, description="Characters of `history` at most in one /ask.")


@lru_cache(maxsize=1)
def _from_env() -> Settings:
    return Settings()


def get_settings(**overrides: object) -> Settings:
    """The settings from the environment, with the given fields (e.g. CLI flags) overriding."""
    base = _from_env()
    given = {k: v for k, v in overrides.items() if v is not None}
    # Validate the overrides as the environment is validated (types, ranges).
    return Settings.model_validate({**base.model_dump(), **given}) if given else base
