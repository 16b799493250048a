"""HTTP edge: FastAPI routers over the one `QAService`; the chat page is mounted at `/`."""

from qa.api.app import create_app
from qa.api.models import hit_json

__all__ = ["create_app", "hit_json"]
