"""The chat page: a thin Gradio edge over `QAService`.

`turns` holds the conversation (and its form in the browser's storage), `render` makes
the page's HTML (pure functions; every outside text escaped or rendered as Markdown
without raw HTML), `chat` calls the service, `page` lays the page out and wires its
events; `page.css`, `panel.js` and `upload.js` are its style and scripts.
"""

from qa.ui.chat import UNEXPECTED, answer_steps, answer_turn
from qa.ui.page import PAGE_CSS, build_ui

__all__ = ["PAGE_CSS", "UNEXPECTED", "answer_steps", "answer_turn", "build_ui"]
