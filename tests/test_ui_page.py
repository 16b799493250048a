"""The chat page in real headless Chromium against a real `qa serve` on loopback: the
analysis, a folder that is not the analysis (with and without an admin token), and a
corpus of hostile markup. With QA_UI_SHOTS set to a folder, each test leaves screenshots
there."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from qa.config import Settings
from qa.service import QAService
from tests.conftest import serving
from tests.helpers import ScriptedLLM

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60  # seconds; generous for a loaded 2-core machine
PHONE = (390, 844)  # CSS pixels of a phone held upright
MILITARY_Q = "What is the regional impact of the military aspect?"
TOKEN = "editor-token-for-tests"
HOSTILE_DOC = """# Field report

The courier delivered the rocket fuel shipment to the northern depot on Tuesday. The depot \
log records the delivery note verbatim: <img src=x onerror="window.__pwned=1"> and \
<script>window.__pwned=1</script> were found written in the margin of the delivery note.

## Supply table

| Item | Note |
|---|---|
| Rocket fuel | <img src=y onerror="window.__pwned=2"> stored in tank 7 |
| Spare parts | Delivered in crates |
"""
HOSTILE_TITLE_DOC = """# <img src=z onerror="window.__pwned=4"> Cargo manifest

The cargo manifest lists forty crates of machine parts bound for the southern quay.
"""
HARBOUR = {
    "harbour-report.md": """# Harbour Maintenance Report

## Dredging

The eastern channel was dredged to a depth of 14 metres in March, so that container ships \
of the new class can berth at the outer quay at any tide.

## Crane fleet

| Crane | Capacity | Status |
|---|---|---|
| Gantry A | 65 tonnes | In service |
| Gantry B | 40 tonnes | Under repair |
""",
    "ferry-timetable.md": """# Island Ferry Timetable

## Winter schedule

In winter the ferry leaves the harbour at 07:15 and at 16:40 on weekdays, and once a day \
at 10:00 at weekends.

## Crossing times

| Route | Crossing time |
|---|---|
| Harbour to North Island | 45 minutes |
| Harbour to South Island | 70 minutes |
""",
}
# What the scripted LLM writes (tests/test_ui_chat.py checks these against the verifier):
# two sentences that the Military row, its source [1], says, and one with a year that no
# source holds.
NORTH = "For the military aspect, North Korea: Enhances missile and defense tech [1]."
MADE_UP = "The alliance was signed in 1850 [1]."
IMPACT = ("The Military aspect has a regional impact: it escalates arms build-up and "
          "increases tensions [1].")
LIGHTHOUSE = """# Lighthouse Log

## Lamp

The lighthouse lamp was replaced in September with a light-emitting diode unit rated at \
120 watts, visible for 18 nautical miles.
"""


# --- browser and servers ---------------------------------------------------------------


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        reason = (f"browser tests need {' and '.join(missing)} "
                  "(apt install chromium chromium-driver)")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _chromium(phone: bool = False) -> Iterator[WebDriver]:
    """Headless Chromium through the system chromedriver (Selenium Manager never runs);
    `phone`: a 390-pixel-wide touch screen (device emulation: a headless window cannot be
    narrower than 500 pixels)."""
    _require_browser()
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    profile = tempfile.TemporaryDirectory(prefix="qa-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                 f"--user-data-dir={profile.name}"):
        opts.add_argument(flag)
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    d.set_page_load_timeout(WAIT)
    if phone:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True})
        d.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    try:
        yield d
    finally:
        d.quit()
        profile.cleanup()


@pytest.fixture()
def driver() -> Iterator[WebDriver]:
    """A desktop-sized headless Chromium."""
    yield from _chromium()


@pytest.fixture()
def phone() -> Iterator[WebDriver]:
    """Headless Chromium as a 390-pixel-wide phone."""
    yield from _chromium(phone=True)


def _corpus(base: Path, files: dict[str, str]) -> Path:
    (base / "corpus").mkdir()
    for name, text in files.items():
        (base / "corpus" / name).write_text(text, encoding="utf-8")
    return base / "corpus"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qa serve` over a corpus whose text and titles are HTML and script."""
    base = tmp_path_factory.mktemp("hostile")
    corpus = _corpus(base, {"field-report.md": HOSTILE_DOC, "manifest.md": HOSTILE_TITLE_DOC})
    with serving(corpus, base / "index") as url:
        yield url


@pytest.fixture(scope="module")
def harbour_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qa serve` over two documents that are not the analysis, without an admin token."""
    base = tmp_path_factory.mktemp("harbour")
    with serving(_corpus(base, HARBOUR), base / "index") as url:
        yield url


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`qa serve` over the two harbour documents with an admin token; yields its URL and
    its corpus folder."""
    base = tmp_path_factory.mktemp("editor")
    corpus = _corpus(base, HARBOUR)
    with serving(corpus, base / "index", admin_token=TOKEN) as url:
        yield url, corpus


@pytest.fixture(scope="module")
def scripted_llm() -> Iterator[ScriptedLLM]:
    """A stand-in LLM server that writes a set text at a set pace (exact output needed)."""
    with ScriptedLLM() as llm:
        yield llm


@pytest.fixture(scope="module")
def llm_server(analysis_settings: Settings, service: QAService,
               scripted_llm: ScriptedLLM) -> Iterator[str]:
    """`qa serve` over the analysis (index built by `service`) with the scripted LLM."""
    with serving(analysis_settings.corpus, analysis_settings.index, llm_url=scripted_llm.url,
                 llm_model="scripted") as url:
        yield url


# --- driving the page ----------------------------------------------------------------


def _wait(d: WebDriver, condition: Callable[[WebDriver], Any], message: str) -> Any:
    """Wait for a condition; an element replaced while it was read (the page re-renders as
    an answer streams in) is read again at the next poll."""
    return WebDriverWait(d, WAIT, poll_frequency=0.1, ignored_exceptions=[
        StaleElementReferenceException]).until(condition, message)


def _shot(d: WebDriver, name: str) -> None:
    """A screenshot in $QA_UI_SHOTS, when that is set."""
    folder = os.environ.get("QA_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(Path(folder) / f"{name}.png"))


def _open(d: WebDriver, url: str) -> None:
    """Load the page and wait until it is ready (`_ready`)."""
    d.get(url)
    _ready(d)


def _reload(d: WebDriver) -> None:
    """Reload the page as a reader does and wait until it is ready: one navigation (a
    second one right after the reload's, as `_open` would add, left Chromium's renderer
    unanswering on a loaded machine)."""
    d.refresh()
    _ready(d)


def _ready(d: WebDriver) -> None:
    """Wait until the page has loaded what the server serves (the tab's title is set from
    the page's header then) and can take a question."""
    _wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#qa-head .qa-title")
          and d.title == d.find_element(By.CSS_SELECTOR, "#qa-head .qa-title").text
          and d.find_element(By.CSS_SELECTOR, "#question textarea").is_enabled()
          and d.find_element(By.ID, "ask").is_enabled(), "the page never became ready")


def _replies(d: WebDriver) -> list[WebElement]:
    return d.find_elements(By.CSS_SELECTOR, "#chat .qa-reply:not(.qa-writing)")


def _ask(d: WebDriver, question: str, example: bool = False) -> str:
    """Send a question (typed, or by clicking its example) and return the finished reply's
    text: the answer without the list of sources under it, or the error message."""
    before = len(_replies(d))
    if example:
        [button] = [b for b in _examples(d) if b.text == question]
        button.click()
    else:
        box = d.find_element(By.CSS_SELECTOR, "#question textarea")
        if len(question) > 200:  # typing thousands of keys is slow; fill it as an input event
            d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent("
                             "new Event('input', {bubbles: true}))", box, question)
        else:
            box.send_keys(question)
        d.find_element(By.ID, "ask").click()
    _wait(d, lambda d: len(_replies(d)) > before, f"no answer shown for {question!r}")
    _wait(d, lambda d: question.strip()[:40] in d.find_element(By.ID, "sources").get_attribute(
        "textContent"), "the sources panel did not switch to the new answer")  # maybe hidden
    return _replies(d)[-1].find_element(By.CSS_SELECTOR, ".qa-answer, .qa-error").text


def _examples(d: WebDriver) -> list[WebElement]:
    return [b for b in d.find_elements(By.CSS_SELECTOR, "button.qa-example") if b.is_displayed()]


def _source(d: WebDriver, cited_label: str) -> WebElement:
    """The source card in the panel whose cited table row starts with `cited_label`."""
    for card in d.find_elements(By.CSS_SELECTOR, "#sources .qa-source"):
        rows = card.find_elements(By.CSS_SELECTOR, ":scope > table tr.qa-cited td")
        if rows and rows[0].text.strip() == cited_label:
            return card
    pytest.fail(f"no source shows the {cited_label} row:\n{d.find_element(By.ID, 'sources').text}")


def _open_context(d: WebDriver, card: WebElement) -> WebElement:
    """Open a source's section context and return the element showing it."""
    context = card.find_element(By.CSS_SELECTOR, "details.qa-context")
    if not context.get_attribute("open"):
        context.find_element(By.TAG_NAME, "summary").click()
    _wait(d, lambda d: context.find_element(By.CSS_SELECTOR, ".qa-section").is_displayed(),
          "the source's context did not open")
    return context


def _cite(reply: WebElement, n: str) -> WebElement:
    """The [n] marker in a reply's answer text."""
    [link] = [a for a in reply.find_elements(By.CSS_SELECTOR, ".qa-answer a.qa-cite")
              if a.text == f"[{n}]"][:1]
    return link


def _opened(d: WebDriver) -> list[WebElement]:
    return d.find_elements(By.CSS_SELECTOR, "#sources .qa-source.qa-open")


def _in_view(d: WebDriver, el: WebElement) -> bool:
    """Whether the top of an element shows in the window (and in its scrolled parents)."""
    return d.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "const at = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + 8);"
        "return r.width > 0 && r.top >= 0 && r.top < innerHeight && r.left >= 0 &&"
        " r.left < innerWidth && !!at && arguments[0].contains(at);", el)


def _choose_document(d: WebDriver, label: str) -> None:
    """Pick a document in the page's document picker."""
    d.find_element(By.CSS_SELECTOR, "#qa-doc input").click()
    option = _wait(d, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR,
                                                                 "ul.options li, [role=option]")
                                      if o.text.strip() == label and o.is_displayed()), None),
                   f"no option {label!r} in the document picker")
    option.click()
    _wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#qa-doc input").get_attribute("value")
          == label, "the picker did not take the document")


# --- the analysis -----------------------------------------------------------------------


def test_page_answers_with_a_citation_and_opens_its_source(live_server: str,
                                                            driver: WebDriver) -> None:
    _open(driver, live_server)
    answer = _ask(driver, MILITARY_Q)
    assert "[1]" in answer
    card = _source(driver, "Military")
    number = card.get_attribute("data-n")
    assert f"[{number}]" in answer, "the Military row's number is not cited in the answer"
    assert "Regional Impact" in card.text
    marked = [m.text for m in card.find_elements(By.CSS_SELECTOR, ":scope > table mark")]
    assert any("Escalates arms build-up" in m for m in marked), marked

    # Clicking [n] in the answer opens source n: marked, its context expanded, in view.
    assert not _opened(driver)
    _cite(_replies(driver)[-1], number).click()
    _wait(driver, lambda d: [c.get_attribute("data-n") for c in _opened(d)] == [number],
          "clicking the marker did not open its source")
    context = card.find_element(By.CSS_SELECTOR, "details.qa-context")
    assert context.get_attribute("open") is not None and _in_view(driver, card)
    assert "North Korea Russia Alliance Reshaping" in context.find_element(
        By.CSS_SELECTOR, ".qa-section").text
    cited = context.find_element(By.CSS_SELECTOR, "tr.qa-cited")
    assert "Escalates arms build-up" in cited.text and cited.text.startswith("Military")
    assert "Regional Impact" in context.text and "Economic" in context.text  # neighbours
    _shot(driver, "cite-opens-source")

    # The copy button puts the answer and its sources on the clipboard as text.
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": live_server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    copy = _replies(driver)[-1].find_element(By.CSS_SELECTOR, "a.qa-copy")
    copy.click()
    _wait(driver, lambda d: copy.text == "Copied", "the answer was not copied")
    copied = driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))")
    assert copied.startswith(answer.strip()) and "Sources: [1] Military (table row)" in copied


def test_page_follow_up_uses_the_conversation(live_server: str, driver: WebDriver) -> None:
    _open(driver, live_server)
    _ask(driver, MILITARY_Q)
    follow = _ask(driver, "And for the diplomatic aspect?")
    assert "[1]" in follow and "Complicates multilateral negotiations" in follow
    _source(driver, "Diplomatic")
    bots = driver.find_elements(By.CSS_SELECTOR, '#chat [data-testid="bot"]')
    assert len(bots) == 2 and "Escalates arms build-up" in bots[0].text
    bots[0].click()  # an earlier answer's sources come back when it is clicked
    _wait(driver, lambda d: MILITARY_Q in d.find_element(By.ID, "sources").text,
          "clicking the first answer did not show its sources")
    _source(driver, "Military")


def test_page_shows_an_error_as_a_message(live_server: str, driver: WebDriver) -> None:
    _open(driver, live_server)
    reply = _ask(driver, "why " * 520)  # over the service's 2,000-character limit
    assert "characters" in reply and "Traceback" not in reply


def test_conversation_survives_a_reload(live_server: str, driver: WebDriver) -> None:
    _open(driver, live_server)
    first = _ask(driver, MILITARY_Q)
    second = _ask(driver, "And for the diplomatic aspect?")
    _reload(driver)
    _wait(driver, lambda d: len(_replies(d)) == 2, "the conversation did not come back")
    replies = _replies(driver)
    assert [r.find_element(By.CSS_SELECTOR, ".qa-answer").text for r in replies] == [first,
                                                                                    second]
    assert "And for the diplomatic aspect?" in driver.find_element(By.ID, "sources").text
    _source(driver, "Diplomatic")
    # A marker of the first answer brings back that answer's sources, opened at it.
    _cite(replies[0], "1").click()
    _wait(driver, lambda d: MILITARY_Q in d.find_element(By.ID, "sources").text
          and [c.get_attribute("data-n") for c in _opened(d)] == ["1"],
          "the first answer's source did not open after the reload")
    _source(driver, "Military")
    # ... and the restored conversation is the history of the next question.
    third = _ask(driver, "And for the economic aspect?")
    assert "[1]" in third
    _source(driver, "Economic")
    _shot(driver, "conversation-after-reload")
    driver.find_element(By.ID, "new").click()
    _wait(driver, lambda d: not _replies(d), "the conversation was not cleared")
    _reload(driver)
    time.sleep(1)  # give a wrongly restored conversation the time to show
    assert not _replies(driver)


def test_sources_are_one_tap_away_on_a_phone(live_server: str, phone: WebDriver) -> None:
    _open(phone, live_server)
    assert phone.execute_script("return innerWidth") == PHONE[0]
    _ask(phone, MILITARY_Q)
    side = phone.find_element(By.ID, "qa-side")
    # Not below the input and the examples: off to the side until asked for.
    assert phone.execute_script("return arguments[0].getBoundingClientRect().left", side) >= \
        PHONE[0]
    reply = _replies(phone)[-1]
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", reply)
    marker = _cite(reply, "1")
    assert _in_view(phone, marker)
    _shot(phone, "phone-answer")
    marker.click()  # the one tap
    card = _wait(phone, lambda d: next((c for c in _opened(d) if _in_view(d, c)), None),
                 "one tap on [1] did not bring its source into view")
    assert card.get_attribute("data-n") == "1" and "Escalates arms build-up" in card.text
    assert _in_view(phone, card.find_element(By.CSS_SELECTOR, ".qa-where"))
    _shot(phone, "phone-source-drawer")
    phone.find_element(By.CSS_SELECTOR, "#sources button.qa-close").click()
    _wait(phone, lambda d: not _in_view(d, card), "the drawer did not close")
    # "Open the source" is the other way in, also one tap.
    reply.find_element(By.CSS_SELECTOR, "a.qa-show").click()
    _wait(phone, lambda d: _in_view(d, d.find_element(By.CSS_SELECTOR, "#sources .qa-source")),
          "'Open the source' did not open the drawer")


# --- streamed answers (an LLM behind the server) ------------------------------------------


def _writing(d: WebDriver) -> str | None:
    """The text of the answer being written, if one is."""
    found = d.find_elements(By.CSS_SELECTOR, "#chat .qa-reply.qa-writing .qa-answer")
    return found[-1].text if found else None


def _send(d: WebDriver, question: str) -> None:
    d.find_element(By.CSS_SELECTOR, "#question textarea").send_keys(question)
    d.find_element(By.ID, "ask").click()


def test_page_streams_verified_sentences_then_the_answer(llm_server: str, driver: WebDriver,
                                                          scripted_llm: ScriptedLLM) -> None:
    scripted_llm.script, scripted_llm.delay = f"{NORTH} {MADE_UP} {IMPACT}", 0.15
    _open(driver, llm_server)
    _send(driver, MILITARY_Q)
    # The first sentence shows, verified, while the rest is still being written.
    first = _wait(driver, lambda d: (t := _writing(d)) and "Enhances missile" in t and t,
                  "no sentence was shown while the answer was written")
    assert "1850" not in first and "escalates" not in first
    _wait(driver, lambda d: any(b.is_displayed() for b in d.find_elements(By.ID, "qa-stop")),
          "no Stop button while the answer was written")
    _shot(driver, "stream-writing")
    _wait(driver, lambda d: _replies(d), "the answer was not finished")
    reply = _replies(driver)[-1]
    text = reply.find_element(By.CSS_SELECTOR, ".qa-answer").text
    assert text.startswith(first.strip()) and "escalates arms build-up" in text
    assert "1850" not in text
    assert not any(b.is_displayed() for b in driver.find_elements(By.ID, "qa-stop"))
    # What verification left out is there, folded under a quiet line, with the reason.
    dropped = reply.find_element(By.CSS_SELECTOR, "details.qa-dropped")
    assert "Left out by verification: 1 sentence" in dropped.text and "1850" not in dropped.text
    dropped.find_element(By.TAG_NAME, "summary").click()
    _wait(driver, lambda d: "1850" in dropped.text, "the dropped sentence did not unfold")
    assert "stands in no source" in dropped.text
    assert dropped.find_element(By.TAG_NAME, "s").text == MADE_UP
    # Its [1] opens the Military row, as for an extractive answer.
    _cite(reply, "1").click()
    _wait(driver, lambda d: [c.get_attribute("data-n") for c in _opened(d)] == ["1"],
          "clicking the marker did not open its source")
    assert "Escalates arms build-up" in _opened(driver)[0].text
    _shot(driver, "stream-answer-dropped")
    # Copy takes the answer and its sources, not the notes about verification.
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": llm_server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    reply.find_element(By.CSS_SELECTOR, "a.qa-copy").click()
    copied = _wait(driver, lambda d: d.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))"),
        "nothing was copied")
    assert copied.startswith(text) and "Sources: [1] Military (table row)" in copied
    assert "verification" not in copied and "1850" not in copied


def test_stop_ends_the_answer_with_what_was_verified(llm_server: str, driver: WebDriver,
                                                     scripted_llm: ScriptedLLM) -> None:
    scripted_llm.script, scripted_llm.delay = " ".join([NORTH, IMPACT] * 10), 0.15
    _open(driver, llm_server)
    _send(driver, MILITARY_Q)
    shown = _wait(driver, lambda d: (t := _writing(d)) and "Enhances missile" in t and t,
                  "no sentence was shown while the answer was written")
    driver.find_element(By.ID, "qa-stop").click()
    _wait(driver, lambda d: _replies(d), "Stop did not end the answer")
    reply = _replies(driver)[-1]
    assert "Stopped before the answer was finished." in reply.text
    text = reply.find_element(By.CSS_SELECTOR, ".qa-answer").text
    assert text.startswith(shown.strip()) and len(text) < len(scripted_llm.script) / 2
    _cite(reply, "1")  # what it said stays cited: the marker opens its source
    _source(driver, "Military")
    time.sleep(1)
    served = scripted_llm.replies[-1]
    assert served.cut and served.words < len(scripted_llm.script.split(" ")), served
    _shot(driver, "stream-stopped")
    # The next question is answered as usual, and the stopped answer survives a reload.
    scripted_llm.script, scripted_llm.delay = IMPACT, 0
    _send(driver, "And for the diplomatic aspect?")
    _wait(driver, lambda d: len(_replies(d)) == 2, "the next question was not answered")
    _reload(driver)
    _wait(driver, lambda d: len(_replies(d)) == 2, "the conversation did not come back")
    assert "Stopped before the answer was finished." in _replies(driver)[0].text


def test_a_reload_while_writing_keeps_the_text_and_stops_the_llm(
        llm_server: str, driver: WebDriver, scripted_llm: ScriptedLLM) -> None:
    scripted_llm.script, scripted_llm.delay = " ".join([NORTH, IMPACT] * 10), 0.15
    _open(driver, llm_server)
    _send(driver, MILITARY_Q)
    shown = _wait(driver, lambda d: (t := _writing(d)) and "Enhances missile" in t and t,
                  "no sentence was shown while the answer was written")
    _reload(driver)
    _wait(driver, lambda d: _replies(d), "the answer being written did not come back")
    reply = _replies(driver)[-1]
    assert reply.find_element(By.CSS_SELECTOR, ".qa-answer").text.startswith(shown.strip())
    assert "Stopped before the answer was finished." in reply.text
    # The page that asked is gone: its answer is not written on to the end.
    _wait(driver, lambda d: scripted_llm.replies[-1].cut, "the LLM went on writing")
    assert scripted_llm.replies[-1].words < len(scripted_llm.script.split(" "))


# --- a folder that is not the analysis -------------------------------------------------


def test_page_over_another_folder_is_about_that_folder(harbour_server: str,
                                                       driver: WebDriver) -> None:
    _open(driver, harbour_server)
    title = driver.find_element(By.CSS_SELECTOR, "#qa-head .qa-title").text
    assert title == "Island Ferry Timetable and Harbour Maintenance Report"
    assert driver.title == title
    assert "2 documents" in driver.find_element(By.CSS_SELECTOR, "#qa-head .qa-intro").text
    examples = [b.text for b in _examples(driver)]
    assert examples, "no example questions"
    words = {"crane", "gantry", "dredging", "ferry", "crossing", "harbour", "winter", "island",
             "route", "schedule", "channel"}
    for q in examples:
        assert words & set(q.lower().replace("?", " ").split()), q
        assert "korea" not in q.lower()
    answer = _ask(driver, examples[0], example=True)
    assert "[1]" in answer
    _shot(driver, "another-folder")
    # No admin token: no upload on the page, and the route refuses.
    assert not driver.find_elements(By.CSS_SELECTOR, "form.qa-upload")
    resp = httpx.post(harbour_server + "/documents", timeout=10,
                      files={"file": ("x.md", b"# X\n\nText.")})
    assert resp.status_code == 404 and "QA_ADMIN_TOKEN" in resp.json()["error"]["message"]


def test_the_picker_scopes_a_question_to_one_document(harbour_server: str,
                                                      driver: WebDriver) -> None:
    _open(driver, harbour_server)
    question = "When does the ferry leave the harbour in winter?"
    _ask(driver, question)
    wheres = [w.text for w in driver.find_elements(By.CSS_SELECTOR, "#sources .qa-where")]
    assert wheres and all("ferry-timetable.md" in w for w in wheres), wheres
    _choose_document(driver, "Harbour Maintenance Report (harbour-report.md)")
    _ask(driver, question)
    panel = driver.find_element(By.ID, "sources")
    assert "in harbour-report.md" in panel.text
    wheres = [w.text for w in panel.find_elements(By.CSS_SELECTOR, ".qa-where")]
    assert all("harbour-report.md" in w for w in wheres), wheres
    _shot(driver, "picker-scopes-question")


def test_an_editor_adds_a_document_from_the_page(editor_server: tuple[str, Path],
                                                 driver: WebDriver, tmp_path: Path) -> None:
    url, corpus = editor_server
    upload = tmp_path / "lighthouse.md"
    upload.write_text(LIGHTHOUSE, encoding="utf-8")
    _open(driver, url)
    driver.find_element(By.CSS_SELECTOR, "#qa-add button, #qa-add .label-wrap").click()
    form = _wait(driver, lambda d: next((f for f in d.find_elements(
        By.CSS_SELECTOR, "form.qa-upload") if f.is_displayed()), None), "no upload form")
    status = form.find_element(By.CSS_SELECTOR, ".qa-upload-status")
    # Record every status the form shows: the progress passes quickly on a small file.
    driver.execute_script(
        "window.qaStatuses = []; new MutationObserver(() => window.qaStatuses.push("
        "arguments[0].textContent)).observe(arguments[0], {childList: true, "
        "characterData: true, subtree: true});", status)
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(upload))
    token = form.find_element(By.CSS_SELECTOR, "input[type=password]")
    token.send_keys("wrong-token")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(driver, lambda d: "admin token is wrong" in status.text, "a wrong token was taken")
    assert not (corpus / "lighthouse.md").exists()

    token.clear()
    token.send_keys(TOKEN)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(driver, lambda d: "Building the index" in status.text or "Added" in status.text,
          "no progress shown")
    _shot(driver, "upload-progress")
    _wait(driver, lambda d: "Added lighthouse.md" in status.text, f"not added: {status.text}")
    shown = driver.execute_script("return window.qaStatuses")
    assert any(s.startswith("Building the index with lighthouse.md") for s in shown), shown
    assert (corpus / "lighthouse.md").read_text(encoding="utf-8") == LIGHTHOUSE
    # The page now knows the new document: in its title and in the picker.
    _wait(driver, lambda d: "Lighthouse Log" in d.find_element(By.CSS_SELECTOR,
                                                               "#qa-head .qa-title").text,
          "the title did not change with the new document")
    answer = _ask(driver, "What was the lighthouse lamp replaced with?")
    assert "[1]" in answer and "diode" in answer
    wheres = [w.text for w in driver.find_elements(By.CSS_SELECTOR, "#sources .qa-where")]
    assert any("lighthouse.md" in w for w in wheres), wheres
    driver.execute_script("window.scrollTo(0, 0)")
    _shot(driver, "upload-answered")
    _choose_document(driver, "Lighthouse Log (lighthouse.md)")  # the picker offers it


# --- hostile markup -------------------------------------------------------------------


def test_page_shows_document_markup_as_text(hostile_server: str, driver: WebDriver) -> None:
    _open(driver, hostile_server)
    title = driver.find_element(By.CSS_SELECTOR, "#qa-head .qa-title").text
    assert '<img src=z onerror="window.__pwned=4"> Cargo manifest' in title
    answer = _ask(driver, "What was found written in the margin of the delivery note?")
    assert "[1]" in answer and "<script>window.__pwned=1</script>" in answer
    card = driver.find_element(By.CSS_SELECTOR, "#sources .qa-source")
    assert '<img src=x onerror="window.__pwned=1">' in card.text
    context = _open_context(driver, card)
    assert "<script>" in context.find_element(By.CSS_SELECTOR, ".qa-cited").text

    answer = _ask(driver, "What is the note for rocket fuel?")
    assert "<img src=y" in answer
    _open_context(driver, _source(driver, "Rocket fuel"))
    # Markup typed into a question is echoed as text too (whatever the answer).
    _ask(driver, 'Where is the rocket fuel? <img src=q onerror="window.__pwned=3">')
    assert '<img src=q onerror="window.__pwned=3">' in driver.find_element(By.ID, "chat").text
    _shot(driver, "hostile-markup-as-text")

    markup = "#chat .message-content {0}, #sources {0}, #qa-head {0}"
    for tag in ("img", "script"):
        assert driver.find_elements(By.CSS_SELECTOR, markup.format(tag)) == [], tag
    # An injected handler would run once its image failed to load; give it a moment.
    deadline = time.time() + 1.0
    while time.time() < deadline:
        assert driver.execute_script("return typeof window.__pwned") == "undefined"
        time.sleep(0.1)

