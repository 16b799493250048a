"""The peers the issue names, set up over the same model and chunks for `latency.py --peers`:
LlamaIndex (VectorStoreIndex with HuggingFaceEmbedding) and Haystack (an in-memory
document store with a SentenceTransformersTextEmbedder and an embedding retriever), each
retrieving in-process, top 5. Not a dependency of qa: install them into the venv first,

    .venv/bin/pip install llama-index-core llama-index-embeddings-huggingface haystack-ai \
        sentence-transformers-haystack

Both load the packaged model with sentence-transformers (torch), as their users would.
"""

from __future__ import annotations

import os
from collections.abc import Callable

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("LLAMA_INDEX_CACHE_DIR", "/tmp/qa-peers-llama-cache")


def llamaindex(texts: list[str], model_dir: str) -> Callable[[str], object]:
    """A LlamaIndex retriever over `texts`; returns retrieve(question)."""
    from llama_index.core import Settings, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    Settings.llm = None
    Settings.embed_model = HuggingFaceEmbedding(model_name=model_dir, device="cpu")
    index = VectorStoreIndex([TextNode(text=t) for t in texts])
    retriever = index.as_retriever(similarity_top_k=5)
    return retriever.retrieve


def haystack(texts: list[str], model_dir: str) -> Callable[[str], object]:
    """A Haystack pipeline (query embedder -> in-memory retriever); returns run(question)."""
    from haystack import Document, Pipeline
    from haystack.components.retrievers.in_memory import InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
        SentenceTransformersTextEmbedder,
    )

    store = InMemoryDocumentStore()
    docs = SentenceTransformersDocumentEmbedder(model=model_dir, progress_bar=False)
    docs.warm_up()
    store.write_documents(docs.run([Document(content=t) for t in texts])["documents"])
    pipe = Pipeline()
    pipe.add_component("embed", SentenceTransformersTextEmbedder(model=model_dir,
                                                                 progress_bar=False))
    pipe.add_component("retrieve", InMemoryEmbeddingRetriever(document_store=store, top_k=5))
    pipe.connect("embed.embedding", "retrieve.query_embedding")
    pipe.warm_up()
    return lambda q: pipe.run({"embed": {"text": q}})
