"""The chat page: a thin Gradio edge over `QAService`.

Callbacks only call the service (`ask`, `context`) and render what it returns. Everything
taken from a document, an answer or the user is passed through `html.escape` before it
reaches the page, so it is shown as text and never run as markup or script.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import gradio as gr

from qa.answer import Answer, Citation
from qa.chunk import Chunk
from qa.errors import QAError
from qa.service import QAService

log = logging.getLogger(__name__)

EXAMPLES = (
    "What is the regional impact of the military aspect?",
    "Which stakeholders must balance deterrence with dialogue?",
    "Which focus area is expected to reduce the risk of digital escalation?",
)
CONTEXT_RADIUS = 3  # neighbouring chunks shown on each side of a cited one
UNEXPECTED = "Something went wrong while answering. It has been logged; please try again."
NO_SOURCES = "No sources: the analysis does not cover this question."
NO_ANSWER = '<div class="qa-more">No sources: this question could not be answered.</div>'
PANEL_EMPTY = "Ask a question: the passages and table rows behind the answer appear here."

# Scoped to the sources panel by gr.HTML (`css_template`); colours stay readable in both
# the light and the dark theme because they are translucent over the theme's own.
PANEL_CSS = """
.qa-for { color: var(--body-text-color-subdued); margin: 0 0 .6em; }
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .6em .8em; margin: 0 0 .7em; }
.qa-head { font-weight: 600; margin-bottom: .3em; }
.qa-where { color: var(--body-text-color-subdued); font-size: .9em; margin-bottom: .4em; }
.qa-passage { white-space: pre-wrap; margin: .2em 0; display: -webkit-box;
  -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }
.qa-caption { color: var(--body-text-color-subdued); font-size: .9em; margin: .4em 0 .2em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; margin: .3em 0; }
th, td { border: 1px solid var(--border-color-primary); padding: .25em .45em;
  text-align: left; vertical-align: top; }
th { background: var(--background-fill-secondary); }
tr.qa-cited td { background: rgba(250, 204, 21, .15); }
mark { background: rgba(250, 204, 21, .55); color: inherit; padding: 0 .1em; }
details.qa-context { margin-top: .4em; }
details.qa-context > summary { cursor: pointer; color: var(--link-text-color); }
.qa-section { font-weight: 600; font-size: 1em; margin: .5em 0 .3em; }
.qa-ctx { white-space: pre-wrap; margin: .3em 0; padding-left: .6em;
  border-left: 3px solid transparent; }
.qa-ctx.qa-cited { border-left-color: rgb(234, 179, 8); background: rgba(250, 204, 21, .15); }
.qa-badge { font-size: .8em; font-weight: 600; color: rgb(161, 98, 7); margin-right: .4em; }
.qa-more { color: var(--body-text-color-subdued); font-size: .85em; }
"""


def esc(text: str) -> str:
    """Text as HTML that displays exactly that text (line breaks kept)."""
    return html.escape(text, quote=True).replace("\n", "<br>")


@dataclass(frozen=True)
class Turn:
    """One exchange as shown on the page; `reply` is None when answering failed."""

    question: str
    reply: str | None
    bubble: str
    sources: str


# --- rendering (pure) -----------------------------------------------------------------


def row_table(chunk: Chunk, highlight: tuple[int, ...] = ()) -> str:
    """A cited table row as a small table: its header and the row, cited cells marked."""
    return table_html([chunk], chunk.id, highlight, caption=False)


def table_html(rows: list[Chunk], cited_id: str, highlight: tuple[int, ...],
               caption: bool = True) -> str:
    """Rows of one table under its header (and caption); the cited row and cells marked."""
    first = rows[0]
    top = f'<div class="qa-caption">{esc(first.caption)}</div>' if caption and first.caption else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in first.header)
    body, group = [], ""
    for r in rows:
        if r.group and r.group != group:  # a label row ("Assets:") heads the rows below it
            body.append(f'<tr><td colspan="{len(first.header)}"><b>{esc(r.group)}</b></td></tr>')
        group = r.group
        mine = r.id == cited_id
        cells = "".join(f"<td><mark>{esc(c)}</mark></td>" if mine and i in highlight
                        else f"<td>{esc(c)}</td>" for i, c in enumerate(r.cells))
        body.append(f'<tr class="qa-cited">{cells}</tr>' if mine else f"<tr>{cells}</tr>")
    return f"{top}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def section_name(chunk: Chunk) -> str:
    """The heading path of a chunk's section (text before the first heading has none)."""
    return chunk.section or "Opening of the document"


def where(chunk: Chunk) -> str:
    """Where a chunk is, as escaped HTML: its section and its file and line."""
    return f"§ {esc(section_name(chunk))} · {esc(chunk.doc)}, line {chunk.line_start}"


def context_html(cited: Chunk, section: list[Chunk], highlight: tuple[int, ...] = ()) -> str:
    """The cited chunk among its neighbours in the section, in reading order: passages as
    paragraphs, rows of one table as one table, the cited one marked."""
    ids = [c.id for c in section]
    if cited.id not in ids:
        section, ids = [cited], [cited.id]
    at = ids.index(cited.id)
    lo, hi = max(0, at - CONTEXT_RADIUS), min(len(section), at + CONTEXT_RADIUS + 1)
    out = [f'<div class="qa-section">§ {esc(section_name(cited))}</div>']
    if lo:
        out.append(f'<div class="qa-more">… {lo} earlier in this section</div>')
    for (is_row, _), run in groupby(section[lo:hi], lambda c: (c.kind == "table_row", c.table)):
        if is_row:
            out.append(table_html(list(run), cited.id, highlight))
            continue
        for c in run:
            badge = '<span class="qa-badge">cited</span>' if c.id == cited.id else ""
            mark = " qa-cited" if c.id == cited.id else ""
            out.append(f'<p class="qa-ctx{mark}">{badge}{esc(c.text)}</p>')
    if hi < len(section):
        out.append(f'<div class="qa-more">… {len(section) - hi} more in this section</div>')
    return "".join(out)


def source_html(c: Citation, section: list[Chunk] | None) -> str:
    """One numbered source: where it is, what it says, and its section context to open."""
    ch = c.chunk
    if ch.kind == "table_row":
        label = f"Table row: {esc(next((x for x in ch.cells if x), ''))}"
        body = row_table(ch, c.highlight)
    else:
        label, body = "Passage", f'<p class="qa-passage">{esc(ch.text)}</p>'
    if section is None:
        ctx = '<div class="qa-more">The section context is not available.</div>'
    else:
        ctx = context_html(ch, section, c.highlight)
    return (f'<div class="qa-source" data-n="{c.n}"><div class="qa-head">[{c.n}] {label}</div>'
            f'<div class="qa-where">{where(ch)}</div>{body}'
            f'<details class="qa-context"><summary>Show in context</summary>{ctx}</details></div>')


def bubble_html(answer: Answer) -> str:
    """The answer for the chat: its text, then a one-line list of its sources."""
    text = f'<span class="qa-answer">{esc(answer.answer)}</span>'
    if not answer.grounded or not answer.citations:
        return text
    names = " · ".join(f"[{c.n}] {esc(short_label(c.chunk))}" for c in answer.citations)
    return (f'{text}<br><span class="qa-cites" style="font-size:.85em;opacity:.75">'
            f"Sources: {names}</span>")


def short_label(chunk: Chunk) -> str:
    """A few words naming a chunk: a row's label, else its section."""
    if chunk.kind == "table_row":
        return f"{next((x for x in chunk.cells if x), 'row')} (table row)"
    return chunk.section or chunk.doc


def error_html(message: str) -> str:
    """A failed turn's reply, plainly marked as an error."""
    return (f'<span class="qa-error" style="color:var(--error-text-color, #b91c1c)">'
            f"⚠ {esc(message)}</span>")


def messages(turns: list[Turn]) -> list[dict[str, Any]]:
    """The chatbot's value (Gradio 6 messages): a user and an assistant message per turn."""
    out: list[dict[str, Any]] = []
    for t in turns:
        out.append({"role": "user", "content": esc(t.question)})
        out.append({"role": "assistant", "content": t.bubble})
    return out


def history(turns: list[Turn]) -> list[tuple[str, str]]:
    """Earlier turns as (role, content) for the service, oldest first; failed ones left out."""
    out: list[tuple[str, str]] = []
    for t in turns:
        if t.reply is not None:
            out += [("user", t.question), ("assistant", t.reply)]
    return out


def panel_html(question: str, body: str) -> str:
    """The sources panel for one turn, headed by its question (shortened if long)."""
    shown = question if len(question) <= 200 else question[:200].rsplit(" ", 1)[0] + " …"
    return f'<div class="qa-for">Sources for: <b>{esc(shown)}</b></div>{body}'


# --- service calls -----------------------------------------------------------------------


def answer_turn(service: QAService, question: str, turns: list[Turn]) -> Turn:
    """Ask the service and render the reply; a failure becomes a message, never a traceback."""
    try:
        answer = service.ask(question, history(turns))
    except QAError as e:
        log.warning("ask failed: %s", e.message)
        return Turn(question, None, error_html(e.message), panel_html(question, NO_ANSWER))
    except Exception:
        log.exception("ask failed unexpectedly for %r", question)
        return Turn(question, None, error_html(UNEXPECTED), panel_html(question, NO_ANSWER))
    if not answer.grounded or not answer.citations:
        return Turn(question, answer.answer, bubble_html(answer),
                    panel_html(question, f'<div class="qa-more">{esc(NO_SOURCES)}</div>'))
    cards = "".join(source_html(c, _section(service, c.chunk, answer.version))
                    for c in answer.citations)
    return Turn(question, answer.answer, bubble_html(answer), panel_html(question, cards))


def _section(service: QAService, chunk: Chunk, version: str) -> list[Chunk] | None:
    try:  # from the version that answered, though a rebuild may have swapped in another
        return service.context(chunk.id, version)[1]
    except Exception:  # the index may have been rebuilt since: show the source without it
        log.exception("no context for chunk %s", chunk.id)
        return None


# --- the page ---------------------------------------------------------------------------


def build_ui(service: QAService) -> gr.Blocks:
    """The chat page: conversation on the left, the selected answer's sources on the right."""

    def ask(question: str, turns: list[Turn]) -> tuple[Any, ...]:
        question = (question or "").strip()
        if not question:
            return gr.update(), gr.update(), turns, gr.update()
        turns = [*turns, answer_turn(service, question, turns)]
        return "", messages(turns), turns, turns[-1].sources

    def select(turns: list[Turn], evt: gr.SelectData) -> Any:
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        return turns[index // 2].sources if 0 <= index // 2 < len(turns) else gr.update()

    def clear() -> tuple[Any, ...]:
        return "", [], [], PANEL_EMPTY

    with gr.Blocks(title="qa: ask the analysis", analytics_enabled=False) as page:
        gr.Markdown("## Ask the analysis\nEvery answer cites the passage or table row it "
                    "comes from. Click an answer to see its sources; open a source to read "
                    "it in its section.")
        turns = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="chat", label="Conversation", height=460,
                                  render_markdown=False, sanitize_html=True, allow_tags=False,
                                  latex_delimiters=[], buttons=[], feedback_options=None)
                with gr.Row():
                    box = gr.Textbox(elem_id="question", show_label=False, scale=5,
                                     placeholder="Ask a question about the analysis…",
                                     max_lines=3, autofocus=True)
                    send = gr.Button("Ask", elem_id="ask", variant="primary", scale=1)
                with gr.Row():
                    examples = [gr.Button(q, size="sm", elem_classes="qa-example")
                                for q in EXAMPLES]
                new = gr.Button("New conversation", size="sm", elem_id="new")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                panel = gr.HTML(PANEL_EMPTY, elem_id="sources", css_template=PANEL_CSS,
                                js_on_load=None, max_height=620, padding=True)
        outputs = [box, chat, turns, panel]
        box.submit(ask, [box, turns], outputs)
        send.click(ask, [box, turns], outputs)
        for b in examples:
            b.click(ask, [b, turns], outputs)
        chat.select(select, [turns], panel)
        new.click(clear, None, outputs)
        chat.clear(clear, None, outputs)  # the chatbot's own bin icon starts over too
    return page
