// The upload form's script (gr.HTML's js_on_load: `element`, `trigger`). The file goes to
// the API's own POST /documents with the admin token the editor typed, never through
// Gradio's upload route; the page shows the upload's progress, then the build's, and when
// the new version is live it triggers `submit` so that the server refreshes the page's
// title, examples and document picker.
const form = element.querySelector("form.qa-upload");
const bar = form.querySelector("progress");
const status = form.querySelector(".qa-upload-status");
const button = form.querySelector("button");
const limit = Number(form.getAttribute("data-max-bytes"));

function say(text, failed) {
  status.textContent = text; // text, never markup: names and messages come from outside
  status.classList.toggle("qa-failed", !!failed);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const file = form.querySelector("input[type=file]").files[0];
  const token = form.querySelector("input[type=password]").value.trim();
  if (!file || !token) {
    say("Choose a file and give the admin token.", true);
    return;
  }
  if (file.size > limit) {
    say(file.name + " has " + file.size + " bytes, over the limit of " + limit + ".", true);
    return;
  }
  const body = new FormData();
  body.append("file", file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", new URL("documents", window.location.href).href);
  xhr.setRequestHeader("Authorization", "Bearer " + token);
  let timer = null;
  const started = Date.now();
  button.disabled = true;
  bar.hidden = false;
  bar.max = 1;
  bar.value = 0;
  xhr.upload.onprogress = (e) => {
    if (!e.lengthComputable) return;
    bar.max = e.total;
    bar.value = e.loaded;
    say("Uploading " + file.name + "… " + Math.round(100 * e.loaded / e.total) + "%");
  };
  xhr.upload.onload = () => {
    bar.removeAttribute("value"); // indeterminate: the build reports no steps
    const tick = () => say("Building the index with " + file.name + "… " +
      Math.round((Date.now() - started) / 1000) + " s");
    tick();
    timer = setInterval(tick, 1000);
  };
  const done = () => {
    clearInterval(timer);
    bar.hidden = true;
    button.disabled = false;
  };
  xhr.onload = () => {
    done();
    let data = null;
    try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
    if (xhr.status === 201 && data) {
      const doc = data.document;
      say(doc ? (data.replaced ? "Replaced " : "Added ") + doc.name + " (" + doc.chunks +
        (doc.chunks === 1 ? " passage or table row" : " passages and table rows") +
        "); now serving " + data.version + "."
        : file.name + " was saved but not indexed: see the build report.", !doc);
      form.querySelector("input[type=file]").value = "";
      trigger("submit", {});
    } else {
      say((data && data.error && data.error.message) ||
        "The upload failed (HTTP " + xhr.status + ").", true);
    }
  };
  xhr.onerror = () => { done(); say("The upload failed: the server could not be reached.", true); };
  xhr.send(body);
});
