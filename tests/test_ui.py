"""The chat page: rendering helpers on their own, then the real page in headless Chromium
against a real `qa serve` on loopback (the analysis, and a corpus of hostile markup)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from qa.answer import Answer
from qa.chunk import Chunk
from qa.errors import BadRequest
from qa.service import QAService
from qa.ui import EXAMPLES, UNEXPECTED, answer_turn, context_html, history, messages, row_table
from tests.conftest import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60  # seconds; generous for a loaded 2-core machine
MILITARY_Q = "What is the regional impact of the military aspect?"
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


def _row(label: str, cells: tuple[str, ...], cid: str = "r1") -> Chunk:
    return Chunk(id=cid, kind="table_row", doc="d.md", section="S", text=" | ".join(cells),
                 line_start=3, line_end=3, char_start=0, char_end=1,
                 header=("Aspect", "Regional Impact"), cells=(label, *cells), table=1, row=0)


# --- rendering, no browser -------------------------------------------------------------


def test_row_table_escapes_and_marks_the_cited_cell() -> None:
    html = row_table(_row("<b>Military</b>", ("<script>x()</script>",)), highlight=(1,))
    assert "<script>" not in html and "<b>" not in html
    assert "<mark>&lt;script&gt;x()&lt;/script&gt;</mark>" in html
    assert "<th>Regional Impact</th>" in html


def test_context_groups_rows_and_marks_the_cited_one() -> None:
    passage = Chunk(id="p", kind="passage", doc="d.md", section="S", text="Intro <i>",
                    line_start=1, line_end=1, char_start=0, char_end=1)
    rows = [_row("Economic", ("Disrupts",), "r0"), _row("Military", ("Escalates",), "r1")]
    html = context_html(rows[1], [passage, *rows], highlight=(1,))
    assert html.count("<table>") == 1  # rows of one table stay one table
    assert 'class="qa-cited"><td>Military</td><td><mark>Escalates</mark>' in html
    assert "Intro &lt;i&gt;" in html


def test_answer_turn_renders_sources_and_feeds_history(service: QAService) -> None:
    turn = answer_turn(service, MILITARY_Q, [])
    assert turn.reply is not None and "[1]" in turn.reply
    assert "Escalates arms build-up" in turn.sources and "Regional Impact" in turn.sources
    assert history([turn]) == [("user", MILITARY_Q), ("assistant", turn.reply)]
    assert [m["role"] for m in messages([turn])] == ["user", "assistant"]


class _Failing:
    """A service whose ask fails, to check the page shows a message, not a traceback."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            doc: str | None = None) -> Answer:
        raise self.error


def test_failures_become_messages_and_stay_out_of_history() -> None:
    failing = _Failing(BadRequest("question has 9999 characters"))
    bad = answer_turn(failing, "q", [])  # type: ignore[arg-type]
    assert "9999 characters" in bad.bubble and bad.reply is None
    failing = _Failing(RuntimeError("secret internals"))
    crash = answer_turn(failing, "q", [])  # type: ignore[arg-type]
    assert UNEXPECTED in crash.bubble and "secret" not in crash.bubble + crash.sources
    assert history([bad, crash]) == []


def test_sources_come_from_the_index_version_that_answered(service: QAService) -> None:
    answer = service.ask("What is the regional impact of the military aspect?")

    asked: list[str | None] = []

    class Rebuilt:  # a rebuild went live between the answer and its sources
        def ask(self, *a: object, **k: object) -> Answer:
            return answer

        def context(self, chunk_id: str, version: str | None = None) -> Any:
            asked.append(version)
            return service.context(chunk_id, answer.version)

    turn = answer_turn(Rebuilt(), "q", [])  # type: ignore[arg-type]
    assert asked == [answer.version] * len(answer.citations)
    assert "Show in context" in turn.sources and "not available" not in turn.sources


def test_ungrounded_answer_has_no_sources() -> None:
    class Abstains:
        def ask(self, *a: object, **k: object) -> Answer:
            return Answer("The analysis does not cover this.", False, (), "v1", "q")

    turn = answer_turn(Abstains(), "Population of Pyongyang?", [])  # type: ignore[arg-type]
    assert "does not cover" in turn.bubble and "Sources:" not in turn.bubble
    assert "qa-source" not in turn.sources


# --- the real page in headless Chromium ------------------------------------------------


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        reason = (f"browser tests need {' and '.join(missing)} "
                  "(apt install chromium chromium-driver)")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture()
def driver() -> Iterator[WebDriver]:
    """Headless Chromium through the system chromedriver (Selenium Manager never runs)."""
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
    try:
        yield d
    finally:
        d.quit()
        profile.cleanup()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qa serve` over a corpus whose text is HTML and script; yields its URL."""
    base = tmp_path_factory.mktemp("hostile")
    (base / "corpus").mkdir()
    (base / "corpus" / "field-report.md").write_text(HOSTILE_DOC, encoding="utf-8")
    with serving(base / "corpus", base / "index") as url:
        yield url


def _wait(d: WebDriver, condition: Callable[[WebDriver], Any], message: str) -> Any:
    return WebDriverWait(d, WAIT, poll_frequency=0.1).until(condition, message)


def _open(d: WebDriver, url: str) -> None:
    """Load the page and wait until it can take a question."""
    d.get(url)
    _wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#question textarea").is_enabled()
          and len(d.find_elements(By.CSS_SELECTOR, "button.qa-example")) == len(EXAMPLES)
          and d.find_element(By.ID, "ask").is_enabled(), "the page never became ready")


def _ask(d: WebDriver, question: str, example: bool = False) -> str:
    """Send a question (typed, or by clicking its example) and return the new reply's text:
    the answer without the list of sources under it, or the error message."""
    bots = '#chat [data-testid="bot"]'
    before = len(d.find_elements(By.CSS_SELECTOR, bots))
    if example:
        [button] = [b for b in d.find_elements(By.CSS_SELECTOR, "button.qa-example")
                    if b.text == question]
        button.click()
    else:
        box = d.find_element(By.CSS_SELECTOR, "#question textarea")
        if len(question) > 200:  # typing thousands of keys is slow; fill it as an input event
            d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent("
                             "new Event('input', {bubbles: true}))", box, question)
        else:
            box.send_keys(question)
        d.find_element(By.ID, "ask").click()
    _wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, bots)) > before
          and d.find_elements(By.CSS_SELECTOR, bots)[-1].text.strip(),
          f"no answer shown for {question!r}")
    _wait(d, lambda d: question.strip()[:40] in d.find_element(By.ID, "sources").text,
          "the sources panel did not switch to the new answer")
    reply = d.find_elements(By.CSS_SELECTOR, bots)[-1]
    return reply.find_element(By.CSS_SELECTOR, ".qa-answer, .qa-error").text


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
    assert not context.find_element(By.CSS_SELECTOR, ".qa-section").is_displayed()
    context.find_element(By.TAG_NAME, "summary").click()
    _wait(d, lambda d: context.find_element(By.CSS_SELECTOR, ".qa-section").is_displayed(),
          "the source's context did not open")
    return context


@pytest.mark.browser
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

    context = _open_context(driver, card)
    assert "North Korea Russia Alliance Reshaping" in context.find_element(
        By.CSS_SELECTOR, ".qa-section").text
    cited = context.find_element(By.CSS_SELECTOR, "tr.qa-cited")
    assert "Escalates arms build-up" in cited.text and cited.text.startswith("Military")
    assert "Regional Impact" in context.text and "Economic" in context.text  # neighbours


@pytest.mark.browser
def test_page_follow_up_uses_the_conversation(live_server: str, driver: WebDriver) -> None:

    _open(driver, live_server)
    _ask(driver, MILITARY_Q, example=True)
    follow = _ask(driver, "And for the diplomatic aspect?")
    assert "[1]" in follow and "Complicates multilateral negotiations" in follow
    _source(driver, "Diplomatic")
    bots = driver.find_elements(By.CSS_SELECTOR, '#chat [data-testid="bot"]')
    assert len(bots) == 2 and "Escalates arms build-up" in bots[0].text
    bots[0].click()  # an earlier answer's sources come back when it is clicked
    _wait(driver, lambda d: MILITARY_Q in d.find_element(By.ID, "sources").text,
          "clicking the first answer did not show its sources")
    _source(driver, "Military")


@pytest.mark.browser
def test_page_shows_an_error_as_a_message(live_server: str, driver: WebDriver) -> None:
    _open(driver, live_server)
    reply = _ask(driver, "why " * 520)  # over the service's 2,000-character limit
    assert "characters" in reply and "Traceback" not in reply


@pytest.mark.browser
def test_page_shows_document_markup_as_text(hostile_server: str, driver: WebDriver) -> None:

    _open(driver, hostile_server)
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

    markup = "#chat .message-content {0}, #sources {0}"
    for tag in ("img", "script"):
        assert driver.find_elements(By.CSS_SELECTOR, markup.format(tag)) == [], tag
    # An injected handler would run once its image failed to load; give it a moment.
    deadline = time.time() + 1.0
    while time.time() < deadline:
        assert driver.execute_script("return typeof window.__pwned") == "undefined"
        time.sleep(0.1)
