"""The chat page's HTML, made by pure functions from turns, chunks and page information.

Every text from a document, an answer or the user reaches the page either through
`esc` (shown as text) or through `markdown` (markdown-it-py with raw HTML off, so markup
in the text is shown as text, and with images and reference definitions off, so nothing
in a document makes the page load or link to something the text does not show). Gradio
sanitises the chat's HTML once more in the browser.
"""

from __future__ import annotations

import html
import re
from itertools import groupby

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from qa.catalog import PageInfo
from qa.chunk import Chunk
from qa.ui.turns import Source, Turn

CONTEXT_RADIUS = 3  # neighbouring chunks shown on each side of a cited one
QUESTION_SHOWN = 200  # characters of a question heading its sources
PANEL_EMPTY = ('<div class="qa-panel qa-empty">Ask a question: the passages and table rows '
               'behind the answer appear here.</div>')
WRITING = "Writing the answer…"
# An answer's note about dropped sentences points API users at the reply's `dropped` field;
# on the page the list of those sentences, right below it, takes the pointer's place.
API_POINTER = " (see `dropped`)"

_CITE = re.compile(r"\[(\d{1,4})\]")


def esc(text: str) -> str:
    """Text as HTML that displays exactly that text (line breaks kept)."""
    return html.escape(text, quote=True).replace("\n", "<br>")


# --- answers as Markdown ----------------------------------------------------------------


def _cite_rule(state: StateInline, silent: bool) -> bool:
    """`[n]` for a cited n becomes a citation token (before links are parsed)."""
    if state.src[state.pos] != "[":
        return False
    m = _CITE.match(state.src, state.pos)
    if not m or int(m.group(1)) not in state.env.get("cited", ()):
        return False
    if not silent:
        token = state.push("qa_cite", "", 0)
        token.meta = {"n": int(m.group(1)), "turn": state.env.get("turn", 0)}
    state.pos = m.end()
    return True


def _render_cite(self, tokens, idx, options, env) -> str:
    n, turn = tokens[idx].meta["n"], tokens[idx].meta["turn"]
    return cite_link(turn, n)


def cite_link(turn: int, n: int) -> str:
    """`[n]` as a link to source n of turn `turn`. The page's script reads both numbers
    from the address (`#qa-source-<turn>-<n>`, the id of the source's card): Gradio's
    sanitiser keeps an address but drops `data-` attributes."""
    return f'<a class="qa-cite" href="#qa-source-{turn}-{n}" title="Open source {n}">[{n}]</a>'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    md.enable(["table", "strikethrough"]).disable(["image", "reference"])
    md.inline.ruler.before("link", "qa_cite", _cite_rule)
    md.add_render_rule("qa_cite", _render_cite)
    return md


_MD = _markdown()


def markdown(text: str, cited: frozenset[int] = frozenset(), turn: int = 0) -> str:
    """Answer text as HTML: Markdown without raw HTML or images, each `[n]` with n in
    `cited` a link that opens source n of turn `turn`."""
    return _MD.render(text, {"cited": cited, "turn": turn})


# --- sources --------------------------------------------------------------------------


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
    """Where a chunk is, as escaped HTML: its section, then its document and its page (a
    paged document such as a PDF) or line."""
    at = f"{chunk.doc}, page {chunk.page}" if chunk.page is not None else (
        f"{chunk.doc}, line {chunk.line_start}")
    return f"§ {esc(section_name(chunk))} · {esc(at)}"


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


def source_html(s: Source, section: list[Chunk] | None, turn: int = 0) -> str:
    """One numbered source: where it is, what it says, and its section context to open."""
    ch = s.chunk
    if ch.kind == "table_row":
        label = f"Table row: {esc(next((x for x in ch.cells if x), ''))}"
        body = row_table(ch, s.highlight)
    else:
        label, body = "Passage", f'<p class="qa-passage">{esc(ch.text)}</p>'
    if section is None:
        ctx = '<div class="qa-more">The section context is not available.</div>'
    else:
        ctx = context_html(ch, section, s.highlight)
    return (f'<div class="qa-source" id="qa-source-{turn}-{s.n}" data-n="{s.n}">'
            f'<div class="qa-head">[{s.n}] {label}</div><div class="qa-where">{where(ch)}</div>'
            f'{body}<details class="qa-context"><summary>Show in context</summary>{ctx}'
            "</details></div>")


def short_label(chunk: Chunk) -> str:
    """A few words naming a chunk: a row's label, else its section; and its page, if any."""
    if chunk.kind == "table_row":
        name = f"{next((x for x in chunk.cells if x), 'row')} (table row)"
    else:
        name = chunk.section or chunk.doc
    return f"{name}, p. {chunk.page}" if chunk.page is not None else name


# --- the conversation -------------------------------------------------------------------


def user_html(turn: Turn) -> str:
    """A question as the chat shows it (and the document it was asked of)."""
    scope = f'<div class="qa-note">in {esc(turn.doc)}</div>' if turn.doc else ""
    return esc(turn.question) + scope


def bubble_html(turn: Turn, index: int, not_covered: str) -> str:
    """An answer as the chat shows it: the text (Markdown, `[n]` opening source n), quiet
    notes, the list of sources and the actions. `index` is the turn's place in the
    conversation; `not_covered` is what the page says when the documents do not cover a
    question."""
    if turn.state == "failed":
        return (f'<div class="qa-reply"><span class="qa-error">'
                f"⚠ {esc(turn.text)}</span></div>")
    if turn.state == "writing":
        text = markdown(turn.text) if turn.text else ""
        return (f'<div class="qa-reply qa-writing"><div class="qa-answer">'
                f'{text}</div><div class="qa-note">{esc(WRITING)}</div></div>')
    cited = frozenset(s.n for s in turn.sources)
    if turn.state == "done" and not turn.grounded:
        text = f"<p>{esc(not_covered)}</p>"
    else:
        text = markdown(turn.text, cited, index) if turn.text else ""
    notes = list(turn.notes)
    if turn.state == "stopped":  # first: it says why the rest reads as it does
        notes.insert(0, "Stopped before the answer was finished." if turn.text
                     else "Stopped before an answer was written.")
    if turn.dropped:
        notes = [n.replace(API_POINTER, "") for n in notes]
    quiet = "".join(f'<div class="qa-note">{esc(n)}</div>' for n in notes)
    quiet += dropped_html(turn)
    foot = ""
    if turn.sources and turn.grounded:
        names = " · ".join(
            f"{cite_link(index, s.n)} {esc(short_label(s.chunk))}" for s in turn.sources)
        foot = (f'<div class="qa-cites">Sources: {names}</div>'
                f'<div class="qa-actions"><a class="qa-show" href="#qa-sources-{index}">'
                f'Open {"the source" if len(turn.sources) == 1 else "the sources"}</a>'
                '<a class="qa-copy" href="#qa-copy">Copy</a></div>')
    elif turn.text:
        foot = '<div class="qa-actions"><a class="qa-copy" href="#qa-copy">Copy</a></div>'
    return (f'<div class="qa-reply"><div class="qa-answer">{text}</div>'
            f"{quiet}{foot}</div>")


def dropped_html(turn: Turn) -> str:
    """The sentences an LLM wrote that verification left out, each with why, folded away
    under a quiet line: the reader sees that checking happened, and what it removed,
    without taking the removed sentences for the answer."""
    if not turn.dropped:
        return ""
    items = "".join(f'<li><s>{esc(d.text)}</s> <span class="qa-why">{esc("; ".join(d.reasons))}'
                    "</span></li>" for d in turn.dropped)
    n = len(turn.dropped)
    return (f'<details class="qa-dropped"><summary>Left out by verification: {n} sentence'
            f'{"s" if n > 1 else ""} the LLM wrote</summary><ul>{items}</ul></details>')


def messages(turns: list[Turn], not_covered: str) -> list[dict[str, str]]:
    """The chatbot's value (Gradio 6 messages): a user and an assistant message per turn."""
    out = []
    for i, t in enumerate(turns):
        out.append({"role": "user", "content": user_html(t)})
        out.append({"role": "assistant", "content": bubble_html(t, i, not_covered)})
    return out


def panel_html(turn: Turn, index: int, sections: dict[str, list[Chunk] | None],
               not_covered: str) -> str:
    """The sources panel for one turn: headed by its question (shortened if long) and the
    document it was scoped to, then its numbered sources (`sections` maps a cited chunk's
    id to its section, None when that is not available)."""
    q = turn.question
    shown = q if len(q) <= QUESTION_SHOWN else q[:QUESTION_SHOWN].rsplit(" ", 1)[0] + " …"
    scope = f' <span class="qa-scope">in {esc(turn.doc)}</span>' if turn.doc else ""
    head = (f'<div class="qa-panel-bar"><button class="qa-close" type="button" '
            f'aria-label="Close the sources">✕ Close</button></div>'
            f'<div class="qa-for">Sources for: <b>{esc(shown)}</b>{scope}</div>')
    if turn.state == "writing":
        body = f'<div class="qa-more">{esc(WRITING)} Its sources appear when it is done.</div>'
    elif turn.state == "failed":
        body = '<div class="qa-more">No sources: this question could not be answered.</div>'
    elif not turn.grounded or not turn.sources:
        why = (not_covered if turn.state == "done"
               else "The answer was stopped before its sources were known.")
        body = f'<div class="qa-more">No sources: {esc(why)}</div>'
    else:
        body = "".join(source_html(s, sections.get(s.chunk.id), index) for s in turn.sources)
    return f'<div class="qa-panel" data-turn="{index}">{head}{body}</div>'


def header_html(info: PageInfo) -> str:
    """The page's title and introduction."""
    return (f'<div class="qa-header"><h1 class="qa-title">{esc(info.title)}</h1>'
            f'<p class="qa-intro">{esc(info.intro)}</p></div>')


def document_choices(info: PageInfo) -> list[tuple[str, str]]:
    """The document picker's choices: every document (its title, and its name when that
    says more), after "All documents" (the empty value)."""
    out = [("All documents", "")]
    for d in info.documents:
        label = d.title if d.title == d.name else f"{d.title} ({d.name})"
        out.append((label, d.name))
    return out


def upload_form(max_bytes: int, extensions: tuple[str, ...]) -> str:
    """The editors' form to add a document (its script, `upload.js`, posts it to
    POST /documents with the admin token typed here)."""
    kinds = ", ".join(extensions)
    size = f"{max_bytes / 1_000_000:g} MB" if max_bytes >= 1_000_000 else f"{max_bytes} bytes"
    return (f'<form class="qa-upload" data-max-bytes="{max_bytes}"><p class="qa-more">A file of '
            f"one of these types: {esc(kinds)}; at most {esc(size)}. It is saved in the corpus "
            "folder, the index is rebuilt with it, and the new version is served when the "
            'build is done.</p><label>Admin token <input type="password" name="token" '
            'autocomplete="off" spellcheck="false"></label><label>Document <input type="file" '
            f'name="file" accept="{esc(",".join(extensions))}"></label><button type="submit">'
            'Add the document</button><progress hidden></progress><div class="qa-upload-status" '
            'role="status" aria-live="polite"></div></form>')
