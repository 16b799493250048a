"""The chat page's layout and its callbacks, each a call to the service (through
`qa.ui.chat`) and a render (`qa.ui.render`).

Left: the title and introduction of the served documents, the conversation, a document
picker, the question box with its Ask and Stop buttons, example questions, and (with an
admin token set) the editors' upload form. Right (a drawer on a narrow screen): the
sources of the selected answer. The conversation is kept in the browser's storage.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import gradio as gr

from qa.catalog import PageInfo
from qa.ingest import EXTENSIONS
from qa.service import ANSWER_THREADS, QAService
from qa.ui.chat import answer_steps, page_info, sections, streamed
from qa.ui.render import (
    PANEL_EMPTY,
    document_choices,
    header_html,
    messages,
    panel_html,
    upload_form,
)
from qa.ui.turns import Turn, restored, selected, stored

ASSETS = Path(__file__).parent
PAGE_CSS = (ASSETS / "page.css").read_text(encoding="utf-8")
PANEL_JS = (ASSETS / "panel.js").read_text(encoding="utf-8")
UPLOAD_JS = (ASSETS / "upload.js").read_text(encoding="utf-8")
EXAMPLE_SLOTS = 6  # example buttons the page has room for (more examples: the first ones)
SET_TITLE = "() => { const t = document.querySelector('.qa-title'); " \
            "if (t) document.title = t.textContent; }"


def storage_secret(corpus: Path) -> str:
    """The key Gradio encrypts the stored conversation with. It reaches the browser in the
    page's configuration, so it hides nothing from the user; it is fixed per corpus so that
    a conversation survives a restart of the server (a random one would not)."""
    return hashlib.sha256(str(Path(corpus).resolve()).encode()).hexdigest()[:32]


def build_ui(service: QAService) -> gr.Blocks:
    """The chat page over the service's served index."""
    info = page_info(service)
    stops: dict[str, threading.Event] = {}  # session -> its answer's stop signal
    admin = service.settings.admin_token is not None and bool(
        service.settings.admin_token.get_secret_value())

    def panel_of(turns: list[Turn], index: int, wording: str) -> str:
        if not 0 <= index < len(turns):
            return PANEL_EMPTY
        return panel_html(turns[index], index, sections(service, turns[index]), wording)

    def shown(turns: list[Turn]) -> tuple[Any, ...]:
        """Chat, state, the last turn's sources and the stored conversation."""
        wording = page_info(service).not_covered
        return (messages(turns, wording), turns, panel_of(turns, len(turns) - 1, wording),
                stored(turns))

    def about(current: PageInfo, doc: str = "") -> tuple[Any, ...]:
        """Header, document picker and example buttons for what the service serves."""
        choices = document_choices(current)
        names = {name for _, name in choices}
        picker = gr.update(choices=choices, value=doc if doc in names else "",
                           visible=len(current.documents) > 1)
        slots = [gr.update(value=q, visible=True) for q in current.examples[:EXAMPLE_SLOTS]]
        slots += [gr.update(visible=False)] * (EXAMPLE_SLOTS - len(slots))
        return (header_html(current), picker, *slots)

    async def ask(question: str, doc: str, turns: list[Turn],
                  request: gr.Request) -> AsyncIterator[tuple[Any, ...]]:
        question = (question or "").strip()
        if not question or (turns and turns[-1].state == "writing"):  # one answer at a time
            yield gr.update(), gr.update(), turns, gr.update(), gr.update(), gr.update()
            return
        stop = stops[request.session_hash] = threading.Event()
        try:
            steps = answer_steps(service, question, doc or None, turns, stop)
            async for turn in streamed(steps, stop, service.offload):
                # Rendering reads the index (sources' sections, the page's wording): on an
                # answer thread too.
                now = await service.offload(shown, [*turns, turn])
                yield ("", *now, gr.update(visible=turn.state == "writing", interactive=True))
        finally:
            stop.set()  # cancelled (a new conversation, the page left): the LLM stops too
            if stops.get(request.session_hash) is stop:
                del stops[request.session_hash]

    def stopped(request: gr.Request) -> Any:
        """Stop: the answer being written ends at the model's next words and is shown
        as it stands, with the sources of what it said (the ask event shows it)."""
        stop = stops.get(request.session_hash)
        if stop is None:  # nothing is being written (any more)
            return gr.update(visible=False)
        stop.set()
        return gr.update(interactive=False)

    def select_message(turns: list[Turn], evt: gr.SelectData) -> str:
        index = selected(evt.index)
        return panel_of(turns, -1 if index is None else index // 2,
                        page_info(service).not_covered)

    def select_turn(turns: list[Turn], evt: gr.SelectData) -> str:
        index = evt.index if isinstance(evt.index, int) else -1
        return panel_of(turns, index, page_info(service).not_covered)

    def restore(value: Any, doc: str) -> tuple[Any, ...]:
        return (*shown(restored(value)), *about(page_info(service), doc))

    def refresh(doc: str) -> tuple[Any, ...]:
        return about(page_info(service), doc)

    def clear(request: gr.Request) -> tuple[Any, ...]:
        stop = stops.get(request.session_hash)
        if stop is not None:
            stop.set()
        return "", [], [], PANEL_EMPTY, [], gr.update(visible=False)

    with gr.Blocks(title=info.title, analytics_enabled=False) as page:
        saved = gr.BrowserState([], storage_key="qa-conversation",
                                secret=storage_secret(service.settings.corpus))
        turns = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, elem_id="qa-main"):
                head = gr.HTML(header_html(info), elem_id="qa-head", js_on_load=None)
                chat = gr.Chatbot(elem_id="chat", label="Conversation", height=460,
                                  render_markdown=False, sanitize_html=True, allow_tags=False,
                                  latex_delimiters=[], buttons=[], feedback_options=None)
                picker = gr.Dropdown(document_choices(info), value="", label="Ask about",
                                     elem_id="qa-doc", visible=len(info.documents) > 1)
                with gr.Row():
                    box = gr.Textbox(elem_id="question", show_label=False, scale=5,
                                     placeholder="Ask a question…", max_lines=3, autofocus=True)
                    send = gr.Button("Ask", elem_id="ask", variant="primary", scale=1)
                    stop = gr.Button("Stop", elem_id="qa-stop", variant="stop", scale=1,
                                     visible=False)
                with gr.Row():
                    examples = [gr.Button(q, size="sm", elem_classes="qa-example",
                                          visible=i < len(info.examples))
                                for i, q in enumerate([*info.examples[:EXAMPLE_SLOTS],
                                                       *[""] * EXAMPLE_SLOTS][:EXAMPLE_SLOTS])]
                new = gr.Button("New conversation", size="sm", elem_id="new")
                upload = None
                if admin:
                    with gr.Accordion("Add a document", open=False, elem_id="qa-add"):
                        upload = gr.HTML(upload_form(service.settings.max_file_bytes,
                                                     EXTENSIONS), js_on_load=UPLOAD_JS)
            with gr.Column(scale=2, elem_id="qa-side"):
                panel = gr.HTML(PANEL_EMPTY, elem_id="sources", js_on_load=PANEL_JS,
                                max_height=620, padding=True, label="Sources")

        shown_out = [chat, turns, panel, saved]
        about_out = [head, picker, *examples]
        # Answers share the service's answer threads; a session asks one question at a time.
        limits = {"concurrency_limit": ANSWER_THREADS, "concurrency_id": "ask"}
        asking = [box.submit(ask, [box, picker, turns], [box, *shown_out, stop], **limits),
                  send.click(ask, [box, picker, turns], [box, *shown_out, stop], **limits)]
        asking += [b.click(ask, [b, picker, turns], [box, *shown_out, stop], **limits)
                   for b in examples]
        # Stop does not cancel the ask event: that event shows the stopped answer, with the
        # sources of the sentences it kept (a cancelled event would show nothing more).
        stop.click(stopped, None, stop, concurrency_limit=None)
        chat.select(select_message, [turns], panel)
        panel.select(select_turn, [turns], panel)  # an answer's [n] or "Show the sources"
        new.click(clear, None, [box, *shown_out, stop], cancels=asking)
        chat.clear(clear, None, [box, *shown_out, stop], cancels=asking)
        page.load(restore, [saved, picker], [*shown_out, *about_out]).then(None, js=SET_TITLE)
        if upload is not None:  # a document was added: new title, examples, documents
            upload.submit(refresh, [picker], about_out).then(None, js=SET_TITLE)
    return page
