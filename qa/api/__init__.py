"""HTTP edge: FastAPI routers over the one `QAService`; the chat page is mounted at `/`."""

from typing import Any

__all__ = ["create_app", "hit_json"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `qa retrieve --json` needs hit_json, not FastAPI.
    if name == "create_app":
        from qa.api.app import create_app

        return create_app
    if name == "hit_json":
        from qa.api.models import hit_json

        return hit_json
    raise AttributeError(f"module 'qa.api' has no attribute {name!r}")
