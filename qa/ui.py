"""Chat page (Gradio) over the service; placeholder until the real page lands."""

from __future__ import annotations

import gradio as gr

from qa.service import QAService


def build_ui(service: QAService) -> gr.Blocks:
    """The chat page."""
    with gr.Blocks(title="qa") as page:
        gr.Markdown("qa")
    return page
