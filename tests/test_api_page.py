"""The chat page's mount under attack, against a real `qa serve` on loopback: Gradio file
references sent as an event's input (the hole of issue 8: `/etc/passwd`, `/proc/self/environ`
with the admin token, `/dev/zero` that froze the server), uploads, `file=` and the other
Gradio routes the page does not use. Every one is refused, nothing of the files comes
back, and the server still answers `/health` after each."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa.api.page import EventSpec, PageGuard, event_problem, event_specs, holds_file_reference
from qa.config import Settings
from qa.service import QAService
from tests.conftest import serving

pytestmark = pytest.mark.slow

TOKEN = "admin-" + secrets.token_hex(12)
QUESTION = "What is the regional impact of the military aspect?"
PASSWD_LINE = "root:x:0:0"


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("page") / "serve.log"


@pytest.fixture(scope="module")
def server(analysis_settings: Settings, service: QAService, server_log: Path) -> Iterator[str]:
    """`qa serve` over the analysis with an admin token in its environment."""
    with serving(analysis_settings.corpus, analysis_settings.index, log=server_log,
                 admin_token=TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def traps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Paths an attacker would name: symbolic links to secrets and devices, and a FIFO."""
    base = tmp_path_factory.mktemp("traps")
    (base / "environ").symlink_to("/proc/self/environ")
    (base / "zero").symlink_to("/dev/zero")
    (base / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(base / "fifo")
    return {name: str(base / name) for name in ("environ", "zero", "passwd", "fifo")}


def file_ref(path: str, meta: bool = True) -> dict:
    """A Gradio file reference, as the issue's request sends it."""
    return {"path": path, "meta": {"_type": "gradio.FileData"}} if meta else {"path": path}


def join(url: str, data: list, fn_index: int = 0, session: str = "s1",
         event_data: object = None) -> httpx.Response:
    """POST /gradio_api/queue/join, as the page's JavaScript does."""
    return httpx.post(url + "/gradio_api/queue/join", timeout=10, json={
        "data": data, "fn_index": fn_index, "session_hash": session,
        "event_data": event_data, "trigger_id": 7})


def events(url: str, session: str, timeout: float = 20) -> str:
    """What /gradio_api/queue/data streams for a session, until the stream closes."""
    out = []
    try:
        with httpx.stream("GET", url + "/gradio_api/queue/data",
                          params={"session_hash": session}, timeout=timeout) as r:
            for line in r.iter_lines():
                out.append(line)
                if "close_stream" in line or "session_not_found" in line:
                    break
    except httpx.ReadTimeout:
        pass
    return "\n".join(out)


def assert_refused(resp: httpx.Response, *statuses: int) -> None:
    """Refused in the API's error shape, with nothing of a secret in it."""
    assert resp.status_code in statuses, (resp.status_code, resp.text[:300])
    assert set(resp.json()) == {"error"}, resp.text[:300]
    assert_nothing_leaked(resp.text)


def assert_nothing_leaked(text: str) -> None:
    assert TOKEN not in text and PASSWD_LINE not in text and "/gradio_api/file=" not in text


def assert_alive(url: str) -> None:
    """The server answers /health at once: nothing blocked its event loop."""
    resp = httpx.get(url + "/health", timeout=5)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"


def test_the_issues_exact_requests_are_refused(server: str) -> None:
    body = ('{"data":[{"path":"/etc/passwd","meta":{"_type":"gradio.FileData"}},null],'
            '"fn_index":0,"session_hash":"s1","event_data":null,"trigger_id":7}')
    resp = httpx.post(server + "/gradio_api/queue/join", content=body,
                      headers={"content-type": "application/json"}, timeout=10)
    assert_refused(resp, 422)
    stream = events(server, "s1", timeout=5)
    assert_nothing_leaked(stream)
    assert_alive(server)
    # Where Gradio would have put the copy, and the file itself, by the direct route.
    for path in ("/tmp/gradio/" + "0" * 64 + "/passwd", "/etc/passwd"):
        assert_refused(httpx.get(f"{server}/gradio_api/file={path}", timeout=10), 404)
    assert_alive(server)


@pytest.mark.parametrize("target", [
    "/etc/passwd", "/etc/shadow", "/proc/self/environ", "/proc/self/cmdline", "/dev/zero",
    "/dev/urandom", "trap:environ", "trap:zero", "trap:passwd", "trap:fifo", "index:CURRENT",
    "source:qa/config.py", "http://127.0.0.1:1/", "http://169.254.169.254/latest/meta-data/",
])
def test_file_references_in_the_question_are_refused(server: str, traps: dict[str, str],
                                                     analysis_settings: Settings,
                                                     target: str) -> None:
    kind, _, name = target.partition(":")
    path = {"trap": lambda: traps[name],
            "index": lambda: str(analysis_settings.index / name),
            "source": lambda: str(Path(__file__).resolve().parent.parent / name)}.get(
        kind, lambda: target)()
    session = "t" + secrets.token_hex(6)
    for ref in (file_ref(path), file_ref(path, meta=False), [file_ref(path)],
                {"value": file_ref(path)}, {"url": path, "meta": {"_type": "gradio.FileData"}}):
        assert_refused(join(server, [ref, None], session=session), 422)
        assert_alive(server)
    assert_nothing_leaked(events(server, session, timeout=3))


def test_every_input_of_every_event_is_screened(server: str) -> None:
    config = httpx.get(server + "/config", timeout=10).json()
    for dep in config["dependencies"]:
        n = max(len(dep["inputs"]), 1)
        for at in range(n):
            data: list = ["hello"] * n
            data[at] = file_ref("/proc/self/environ")
            assert_refused(join(server, data, fn_index=dep["id"]), 422)
        # ... and in the event's data (a select carries the selected message).
        assert_refused(join(server, [None] * len(dep["inputs"]), fn_index=dep["id"],
                            event_data={"index": 0, "value": file_ref("/etc/passwd")}), 422)
    assert_alive(server)


@pytest.mark.parametrize("method, path", [
    ("POST", "/gradio_api/run/ask"), ("POST", "/gradio_api/api/ask"),
    ("POST", "/gradio_api/call/ask"), ("POST", "/gradio_api/call/v2/ask"),
    ("POST", "/gradio_api/run/predict"),
])
def test_the_rest_api_of_gradio_is_not_served(server: str, method: str, path: str) -> None:
    resp = httpx.request(method, server + path, timeout=10,
                         json={"data": [file_ref("/etc/passwd"), None]})
    assert_refused(resp, 404)
    assert_alive(server)


@pytest.mark.parametrize("path", [
    "/gradio_api/file=/etc/passwd", "/gradio_api/file=/proc/self/environ",
    "/gradio_api/file=/dev/zero", "/gradio_api/file=pyproject.toml",
    "/gradio_api/file=/tmp/gradio/x/passwd", "/gradio_api/file/etc/passwd",
    "/gradio_api/file=http://127.0.0.1:1/", "/gradio_api/proxy=http://127.0.0.1:1/x",
    "/gradio_api/stream/s1/0/0/playlist-file", "/gradio_api/upload_progress?upload_id=x",
    "/gradio_api/info", "/gradio_api/runs", "/gradio_api/monitoring",
    "/gradio_api/custom_component/1/client/js/index.js",
])
def test_file_and_other_unused_routes_are_not_served(server: str, path: str) -> None:
    resp = httpx.get(server + path, timeout=10,
                     headers={"Range": "bytes=0-100", "Cookie": "session=secret-cookie"})
    assert_refused(resp, 404)
    assert "secret-cookie" not in str(resp.headers)
    assert_alive(server)


def test_uploads_are_refused_and_not_kept(server: str) -> None:
    big = b"x" * (5 << 20)
    for path in ("/gradio_api/upload", "/gradio_api/upload?upload_id=u1",
                 "/gradio_api/process_recording"):
        resp = httpx.post(server + path, files={"files": ("a.txt", big)}, timeout=30)
        assert_refused(resp, 404, 413)  # over QA_MAX_BODY_BYTES, or not a route of the page
        small = httpx.post(server + path, files={"files": ("a.txt", b"tiny")}, timeout=30)
        assert_refused(small, 404)
    assert_alive(server)


def test_the_page_still_answers_a_question(server: str) -> None:
    """The guard lets the page's own events through: a typed question is answered."""
    session = "ok" + secrets.token_hex(6)
    # The question box's submit: the question, the document picker (all documents) and the
    # conversation (a state the server holds: the page sends null for it).
    resp = join(server, [QUESTION, "", None], session=session)
    assert resp.status_code == 200 and "event_id" in resp.json()
    stream = events(server, session)
    done = [json.loads(line[len("data: "):]) for line in stream.splitlines()
            if '"process_completed"' in line]
    assert done and done[0]["success"], stream[-2000:]
    assert "Escalates arms build-up" in json.dumps(done[0]["output"])
    assert httpx.get(server + "/", timeout=10).status_code == 200


@pytest.mark.parametrize("fn_index", [9999, -1, "0", True, 1.5])
def test_an_event_the_page_does_not_have_is_refused(server: str, server_log: Path,
                                                    fn_index: object) -> None:
    """Gradio looks `fn_index` up unguarded: an unknown one was a 500 and a traceback."""
    before = server_log.read_text(errors="replace").count("\n")
    resp = httpx.post(server + "/gradio_api/queue/join", timeout=10, json={
        "data": [QUESTION, "", None], "fn_index": fn_index, "session_hash": "nofn"})
    assert_refused(resp, 422)
    assert "fn_index" in resp.json()["error"]["message"]
    time.sleep(0.3)
    lines = server_log.read_text(errors="replace").splitlines()[before:]
    assert not [line for line in lines if "Traceback" in line], lines[:40]
    assert_alive(server)


# Events the page's JavaScript never sends, each of which Gradio accepted (200) and then
# failed on in its queue, writing a traceback to the log: (fn_index, data, event_data).
BAD_EVENTS = {
    "too-few-inputs": (0, [QUESTION], None),
    "too-many-inputs": (0, [QUESTION, "", None, 5], None),
    "no-server-function": ("cancel", [], None),
    "question-not-text": (0, [{"q": 1}, "", None], None),
    "document-not-text": (0, [QUESTION, 5, None], None),
    "document-an-object": (0, [QUESTION, {"a": 1}, None], None),
    "select-without-selection": ("select", [None], None),
    "select-a-number": ("select", [None], 5),
    "select-without-value": ("select", [None], {"index": 0}),
}


def _page_events(server: str) -> dict[str, int]:
    """fn_index of the question box's submit, of a select and of an event with no server
    function, from the page's configuration."""
    deps = httpx.get(server + "/config", timeout=10).json()["dependencies"]
    return {"cancel": next(d["id"] for d in deps if not d["backend_fn"]),
            "select": next(d["id"] for d in deps if d["targets"][0][1] == "select")}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_events_gradio_would_fail_on_are_refused_without_a_traceback(
        server: str, server_log: Path, case: str) -> None:
    fn_index, data, event_data = BAD_EVENTS[case]
    fn_index = _page_events(server).get(fn_index, fn_index)
    session = "bad" + secrets.token_hex(4)
    before = server_log.read_text(errors="replace").count("\n")
    resp = join(server, data, fn_index=fn_index, session=session, event_data=event_data)
    assert_refused(resp, 422)
    stream = events(server, session, timeout=3)  # nothing was queued
    assert "process_starts" not in stream
    time.sleep(0.3)
    lines = server_log.read_text(errors="replace").splitlines()[before:]
    assert not [line for line in lines if "Traceback" in line], lines[:40]
    assert sum("/gradio_api/queue/join" in line for line in lines) == 1, lines
    assert_alive(server)


@pytest.mark.parametrize("index", ["x", [], ["x"], 3, [1, 0]])
def test_an_odd_selection_shows_no_sources_without_a_traceback(server: str, server_log: Path,
                                                               index: object) -> None:
    session = "sel" + secrets.token_hex(4)
    before = server_log.read_text(errors="replace").count("\n")
    resp = join(server, [None], fn_index=_page_events(server)["select"], session=session,
                event_data={"index": index, "value": "x"})
    assert resp.status_code == 200
    done = [json.loads(line[len("data: "):]) for line in events(server, session).splitlines()
            if '"process_completed"' in line]
    assert done and done[0]["success"], done
    time.sleep(0.3)
    lines = server_log.read_text(errors="replace").splitlines()[before:]
    assert not [line for line in lines if "Traceback" in line], lines[:40]


@pytest.mark.parametrize("session", ["%00", "%7F", "a%0Ab", "x" * 200])
def test_a_heartbeat_for_an_odd_session_is_refused_without_a_traceback(
        server: str, server_log: Path, session: str) -> None:
    """Gradio builds a URL of the heartbeat's path: a control character in it was an
    InvalidURL, with a traceback in the log."""
    before = server_log.read_text(errors="replace").count("\n")
    assert_refused(httpx.get(f"{server}/gradio_api/heartbeat/{session}", timeout=5), 404)
    time.sleep(0.3)
    lines = server_log.read_text(errors="replace").splitlines()[before:]
    assert not [line for line in lines if "Traceback" in line], lines[:40]
    assert_alive(server)


def test_the_event_specs_of_the_page(service: QAService) -> None:
    from qa.ui import build_ui

    page = build_ui(service)
    specs = event_specs(page)
    config = {d["id"]: d for d in page.get_config_file()["dependencies"]}
    assert set(specs) == {i for i, d in config.items() if d["backend_fn"]}
    asks = [i for i, d in config.items() if d["api_name"].startswith("ask")]
    assert asks and all(specs[i] == EventSpec((True, True, False)) for i in asks)
    selects = {i for i, d in config.items() if d["targets"][0][1] == "select"}
    assert len(selects) == 2 and {i for i, s in specs.items() if s.selects} == selects


@pytest.mark.parametrize("event, problem", [
    ({"fn_index": 0, "data": ["q", "", None]}, None),
    ({"fn_index": 0, "data": ["q", None, {"any": "state"}]}, None),
    ({"data": []}, None),  # no fn_index: Gradio's own 400
    ({"fn_index": 1, "data": [None], "event_data": {"index": 0, "value": "x"}}, None),
    ({"fn_index": 2, "data": ["q", "", None]}, "fn_index names no event"),
    ({"fn_index": 0, "data": ["q", ""]}, "a list of the event's 3 input values"),
    ({"fn_index": 0, "data": "q"}, "a list of the event's 3 input values"),
    ({"fn_index": 0, "data": ["q", ["a"], None]}, "data[1] must be a string or null"),
    ({"fn_index": 1, "data": [None]}, "an object with `index` and `value`"),
    ({"fn_index": 1, "data": [None], "event_data": {"value": 1}}, "`index` and `value`"),
])
def test_event_problem(event: dict, problem: str | None) -> None:
    specs = {0: EventSpec((True, True, False)), 1: EventSpec((False,), selects=True)}
    found = event_problem(event, specs)
    assert (found is None) if problem is None else (problem in found), found


def test_the_guard_passes_only_the_pages_events() -> None:
    from fastapi import FastAPI

    seen: list[bytes] = []

    async def inner(scope, receive, send):
        seen.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guard = PageGuard(inner, FastAPI().router, {0: EventSpec(()), 3: EventSpec(())})

    async def post(fn_index: object) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guard),
                                     base_url="http://t") as c:
            return await c.post("/gradio_api/queue/join", json={
                "data": [], "fn_index": fn_index, "session_hash": "s"})

    assert asyncio.run(post(3)).status_code == 200 and len(seen) == 1
    for wrong in (4, -1, "3", 99):
        resp = asyncio.run(post(wrong))
        assert resp.status_code == 422 and set(resp.json()) == {"error"}
    assert len(seen) == 1


def test_wrong_method_and_unknown_path_in_the_error_shape(server: str) -> None:
    resp = httpx.get(server + "/ask", timeout=10)
    assert_refused(resp, 405)
    assert resp.headers["allow"] == "POST"
    assert_refused(httpx.get(server + "/no-such-page", timeout=10), 404)
    assert_refused(httpx.post(server + "/gradio_api/queue/data", timeout=10), 405)


@pytest.mark.parametrize("value, found", [
    ("text", False), ([None, "a", 3], False), ({"index": 1, "value": "x"}, False),
    ({"path": "/etc/passwd"}, True), ([[{"x": {"url": "http://h/"}}]], True),
    ({"meta": {"_type": "gradio.FileData"}}, True),
])
def test_holds_file_reference(value: object, found: bool) -> None:
    assert holds_file_reference(value) is found


def test_unknown_sessions_write_one_line_each_at_most(server: str, server_log: Path) -> None:
    before = server_log.read_text(errors="replace").count("\n")
    names = [f"nosuch{secrets.token_hex(4)}" for _ in range(20)]
    for name in names:
        stream = events(server, name, timeout=10)
        assert "session_not_found" in stream
    assert_alive(server)
    time.sleep(0.5)
    lines = server_log.read_text(errors="replace").splitlines()[before:]
    assert not [line for line in lines if "Traceback" in line or "Error" in line], lines[:40]
    for name in names:
        assert sum(name in line for line in lines) <= 1, [x for x in lines if name in x]


@pytest.mark.parametrize("asset", ["/theme.css", "/static/img/logo_nosize.svg"])
def test_range_requests_do_not_echo_request_headers(server: str, asset: str) -> None:
    resp = httpx.get(server + asset, timeout=10, headers={
        "Range": "bytes=0-10", "Cookie": "session=secret-cookie", "Authorization": "Bearer x"})
    assert resp.status_code in (200, 206)
    assert "secret-cookie" not in str(resp.headers) and "Bearer" not in str(resp.headers)


def _scripted_gradio(status: int, body: bytes, ctype: bytes = b"application/json"):
    """A stand-in for the Gradio app (an exact response is needed): answers `status` and
    `body`, and copies every request header into its response, as `file=` did."""

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status,
                    "headers": [*scope["headers"], (b"content-type", ctype)]})
        await send({"type": "http.response.body", "body": body})

    return app


def _through_guard(inner, path: str = "/theme.css") -> httpx.Response:
    from fastapi import FastAPI

    guard = PageGuard(inner, FastAPI().router)
    transport = httpx.ASGITransport(app=guard)

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await c.get(path, headers={"Cookie": "c=1", "Authorization": "Bearer t"})

    return asyncio.run(go())


def test_the_guard_drops_copied_request_headers() -> None:
    resp = _through_guard(_scripted_gradio(206, b"abc", b"text/css"))
    assert resp.status_code == 206 and resp.text == "abc"
    assert "cookie" not in resp.headers and "authorization" not in resp.headers


@pytest.mark.parametrize("body, ctype, message", [
    (b'{"detail": "Not Found"}', b"application/json", "Not Found"),
    (b'{"detail": [{"msg": "Field required"}]}', b"application/json", "Field required"),
    (b"Stream not found", b"text/plain", "Stream not found"),
])
def test_the_guard_answers_gradios_errors_in_our_shape(body: bytes, ctype: bytes,
                                                       message: str) -> None:
    resp = _through_guard(_scripted_gradio(404, body, ctype))
    assert resp.status_code == 404
    assert resp.json() == {"error": {"type": "NotFound", "message": message}}


def test_gradio_is_past_the_2026_advisories() -> None:
    """Path traversal in FileExplorer (fixed in 6.16.0), SSRF in gr.load (fixed in 6.6.0)."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml")
                            .read_text())["project"]
    [gradio] = [Requirement(d) for d in project["dependencies"] if d.startswith("gradio")]
    floors = [Version(s.version) for s in gradio.specifier if s.operator == ">="]
    assert floors and min(floors) >= Version("6.16.0"), gradio
    assert not gradio.specifier.contains("6.15.9")
    assert Version(version("gradio")) >= Version("6.16.0")
