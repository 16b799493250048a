"""Follow the corpus and the index while serving.

Without `--watch`, a `Follower` polls the index's CURRENT (one stat a second) and loads
the version another process (`qa build`) makes live.

With `qa serve --watch`, a `Watcher` does more.

A background thread watches two folders with watchfiles (inotify on Linux):
- the corpus: once it has been quiet for `watch_debounce_ms` after a change, the service
  builds (incrementally) and swaps the new version in;
- the index folder's CURRENT: when another process (`qa build`) makes a version live,
  the service loads it. CURRENT is also re-read every few seconds when nothing happens,
  in case the file system drops an event.

Builds and reloads run in this thread, never in a request's; a failure is logged and the
watch goes on with the served version unchanged.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import watchfiles

from qa.errors import QAError
from qa.index import CURRENT

log = logging.getLogger(__name__)
# watchfiles logs every batch of changes at INFO, including the CURRENT written by each build.
logging.getLogger("watchfiles.main").setLevel(logging.WARNING)

POLL_MS = 3000  # re-read CURRENT at least this often
# Without --watch: how often the follower looks at CURRENT. A stat a second is nothing to
# the machine, and a version built beside the server is served within about a second.
FOLLOW_SECONDS = 1.0
RETRY_SECONDS = 5.0  # after the watch itself failed (e.g. the corpus folder vanished)


class Watched(Protocol):
    """What the watcher needs of the service (it does not import the service: no cycle)."""

    settings: Any
    version: str | None

    def build(self) -> Any:
        """Build from the corpus and serve the result; returns a report with `error`,
        `live` and `summary()`."""

    def reload(self) -> str | None:
        """Serve the version the index folder names live, if newer."""


class Background:
    """A daemon thread running `_run` until `_stop` is set; subclasses set both up."""

    _stop: threading.Event
    _thread: threading.Thread

    def start(self) -> None:
        """Start the background thread."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop it; waits for the work in progress (a build, a reload) up to `timeout`."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


class Watcher(Background):
    """Rebuilds the service's index when the corpus changes; loads versions built elsewhere."""

    def __init__(self, service: Watched) -> None:
        s = service.settings
        self.service = service
        self.corpus = Path(s.corpus).resolve()
        self.index = Path(s.index).resolve()
        self.debounce_ms = s.watch_debounce_ms
        self.builds = 0  # builds this watcher ran (for tests and logs)
        self.ready = threading.Event()  # set once watching, after the catch-up build
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qa-watch", daemon=True)

    def relevant(self, change: watchfiles.Change, path: str) -> bool:
        """Whether a change can matter: a visible path in the corpus (files and folders: a
        folder moved away reports only itself), or the index's CURRENT."""
        p = Path(path)
        if p == self.index / CURRENT:
            return True
        if p.is_relative_to(self.index) or not p.is_relative_to(self.corpus):
            return False  # an index kept inside the corpus must not trigger builds
        return not any(part.startswith(".") for part in p.relative_to(self.corpus).parts)

    def _run(self) -> None:
        catch_up = True  # changes made before the watch was set up are not reported
        while not self._stop.is_set():
            paths = [p for p in (self.corpus, self.index) if p.is_dir()]
            try:
                for changes in watchfiles.watch(
                        *paths, watch_filter=self.relevant, step=self.debounce_ms,
                        debounce=max(10 * self.debounce_ms, 10_000), stop_event=self._stop,
                        rust_timeout=max(POLL_MS, 2 * self.debounce_ms), yield_on_timeout=True,
                        raise_interrupt=False):
                    corpus_changed = catch_up or any(
                        not Path(p).is_relative_to(self.index) for _, p in changes)
                    catch_up = False
                    self._step(corpus_changed)
                    self.ready.set()
            except Exception:
                log.exception("watching %s failed; retrying in %.0f s", paths, RETRY_SECONDS)
                catch_up = True
                self._stop.wait(RETRY_SECONDS)

    def _step(self, corpus_changed: bool) -> None:
        """Build after a corpus change, else look for a version built elsewhere."""
        try:
            if corpus_changed:
                report = self.service.build()
                self.builds += 1
                if report.error:
                    log.warning("watch: %s", report.summary())
                elif report.live:
                    log.info("watch: %s", report.summary())
            else:
                self.service.reload()
        except QAError as e:
            log.error("watch: %s; still serving %s", e.message, self.service.version)
        except Exception:
            log.exception("watch: unexpected failure; still serving %s", self.service.version)


class Follower(Background):
    """Serves the version the index folder names live: a thread that stats CURRENT every
    FOLLOW_SECONDS and asks the service to reload when it changed. Requests go on being
    served from the loaded version meanwhile; the swap is one assignment."""

    def __init__(self, service: Watched, interval: float = FOLLOW_SECONDS) -> None:
        self.service = service
        self.current = Path(service.settings.index) / CURRENT
        self.interval = interval
        self.reloads = 0  # changes of CURRENT acted on (for tests and logs)
        self._seen = self._stamp()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qa-follow", daemon=True)

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.current.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            stamp = self._stamp()
            if stamp == self._seen:
                continue
            self._seen = stamp
            self.reloads += 1
            try:
                self.service.reload()
            except QAError as e:
                log.error("follow: %s; still serving %s", e.message, self.service.version)
            except Exception:
                log.exception("follow: unexpected failure; still serving %s",
                              self.service.version)
