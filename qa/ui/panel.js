// The sources panel's script: Gradio's gr.HTML runs it once the panel is on the page, with
// `element` (the panel), `trigger` (sends one of its events to the server) and `watch`.
// It handles the answers' links in the chat: [n] opens source n of that answer, "Show the
// sources" shows them, "Copy" copies the answer; on a narrow screen the panel is a drawer
// (page.css) that these open. Only markup the server made carries these classes.
const panel = element;
const narrow = window.matchMedia("(max-width: 760px)");
let pending = null; // {turn, n}: a source to open once the panel shows that turn

function shownTurn() {
  const shown = panel.querySelector(".qa-panel");
  return shown ? shown.getAttribute("data-turn") : null;
}

function drawer(open) { // the column that holds the panel is the drawer (page.css)
  const side = document.getElementById("qa-side");
  if (side) side.classList.toggle("qa-drawer-open", open);
}

function reveal(n) {
  if (narrow.matches) drawer(true);
  let target = panel.querySelector(".qa-panel");
  const card = n ? panel.querySelector('.qa-source[data-n="' + n + '"]') : null;
  if (card) {
    panel.querySelectorAll(".qa-source.qa-open").forEach((c) => c.classList.remove("qa-open"));
    card.classList.add("qa-open");
    const context = card.querySelector("details.qa-context");
    if (context) context.open = true;
    target = card;
  }
  // In the drawer, the source goes to its top; beside the chat, the page moves no more
  // than it must to show it.
  if (target) target.scrollIntoView({ block: narrow.matches ? "start" : "nearest" });
}

function show(turn, n) {
  if (turn === null) return;
  if (shownTurn() === turn) {
    reveal(n);
    return;
  }
  pending = { turn: turn, n: n };
  trigger("select", { index: Number(turn), value: null }); // the server sends its panel
}

watch("value", () => {
  if (pending && shownTurn() === pending.turn) {
    const n = pending.n;
    pending = null;
    reveal(n);
  }
});

// What Copy copies: the answer and its list of sources, not the page's notes about how the
// answer was made (those are for the reader here, not for where the answer is pasted).
function answerText(reply) {
  return [".qa-answer", ".qa-cites"]
    .flatMap((sel) => Array.from(reply.querySelectorAll(sel)))
    .map((el) => el.innerText.trim())
    .filter((t) => t)
    .join("\n\n");
}

async function copy(link) {
  const reply = link.closest(".qa-reply");
  if (!reply) return;
  const text = answerText(reply);
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch (err) { // no clipboard API (a page served over plain HTTP off localhost)
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { done = document.execCommand("copy"); } catch (err2) { done = false; }
    area.remove();
  }
  link.textContent = done ? "Copied" : "Copy failed";
  setTimeout(() => { link.textContent = "Copy"; }, 2000);
}

window.qaShowSource = show; // the listeners below outlive a re-mounted panel
window.qaDrawer = drawer;
if (!window.qaListening) {
  window.qaListening = true;
  // Capture phase: the chat's own click handling (select the message) does not run too.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest(
      "a.qa-cite, a.qa-show, a.qa-copy, button.qa-close");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    if (link.matches("button.qa-close")) {
      window.qaDrawer(false);
    } else if (link.matches("a.qa-copy")) {
      copy(link);
    } else { // #qa-source-<turn>-<n> ([n]) or #qa-sources-<turn> (all of them)
      const at = /^#qa-sources?-(\d+)(?:-(\d+))?$/.exec(link.getAttribute("href") || "");
      if (at) window.qaShowSource(at[1], at[2] || null);
    }
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") window.qaDrawer(false);
  });
}
