"""Articles from the web for the service: article URLs, RSS/Atom feeds and sitemaps, read into
the store through its normal write path (`Byline.ingest_loaded`, `Byline.delete`), and kept in
sync, on demand or in the background while `byline serve` runs.

One `WebFeeds` per service (`web_feeds`), shared by the CLI, the API, the Articles tab and the
background sync: it runs one sync at a time. A feed or sitemap added through the API or the Articles
tab is registered at once and its articles are read by a background worker, one source after another.
"""

import logging
import queue
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from index.feeds.fetcher import Fetched, FetchLimits
from index.feeds.registry import Feed, FeedRegistry
from index.feeds.sync import FeedReport, FeedSync, SyncWatch, Writer
from rag.service import Byline
from rag.settings import Settings

log = logging.getLogger(__name__)
WEB_PREFIXES = ("http://", "https://")


REMOVE_WAIT = 60.0  # seconds a removal waits for the sync it stopped to let go


class SyncRunning(RuntimeError):
    """A sync is already running for this store in this process."""


class NotRegistered(LookupError):
    """A URL that is no registered feed or sitemap."""


@dataclass
class SyncProgress:
    status: str  # "queued": waiting for the background worker; "syncing": being read
    done: int = 0  # entries of its listing read so far
    total: int | None = None  # entries to read this sync; None until its listing is read


class SyncState(SyncWatch):
    """Which sources are queued or being synced in this process, how far each is, and which to stop."""

    def __init__(self):
        self._changed = threading.Condition()
        self._progress: dict[str, SyncProgress] = {}
        self._queued: dict[str, int] = {}  # url → background jobs waiting for it
        self._stopping: set[str] = set()

    def snapshot(self) -> dict[str, SyncProgress]:
        with self._changed:
            return {url: SyncProgress(p.status, p.done, p.total) for url, p in self._progress.items()}

    def queued(self, url: str) -> None:
        with self._changed:
            self._queued[url] = self._queued.get(url, 0) + 1
            self._progress.setdefault(url, SyncProgress("queued"))

    def dequeued(self, url: str) -> None:
        with self._changed:
            self._queued[url] -= 1
            if not self._queued[url]:
                del self._queued[url]
            self._settle(url)

    def started(self, url: str) -> None:
        with self._changed:
            self._progress[url] = SyncProgress("syncing")

    def read(self, url: str, done: int, total: int) -> None:
        with self._changed:
            self._progress[url] = SyncProgress("syncing", done, total)

    def finished(self, url: str) -> None:
        with self._changed:
            self._progress.pop(url, None)
            self._settle(url)

    def _settle(self, url: str) -> None:
        if url in self._queued:
            self._progress.setdefault(url, SyncProgress("queued"))
        elif url in self._progress and self._progress[url].status == "queued":
            del self._progress[url]
        self._changed.notify_all()

    def stopped(self, url: str) -> bool:
        with self._changed:
            return url in self._stopping

    @contextmanager
    def stopping(self, url: str) -> Iterator[None]:
        """While inside, a sync of `url` stops after the entry it is reading."""
        with self._changed:
            self._stopping.add(url)
        try:
            yield
        finally:
            with self._changed:
                self._stopping.discard(url)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or syncing; False when `timeout` seconds passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._progress and not self._queued, timeout)


def is_web_address(text: str) -> bool:
    return text.strip().lower().startswith(WEB_PREFIXES)


def fetch_limits(settings: Settings) -> FetchLimits:
    return FetchLimits(
        timeout=settings.fetch_timeout,
        max_bytes=int(settings.fetch_max_mb * 1024 * 1024),
        delay=settings.fetch_delay,
        max_redirects=settings.fetch_max_redirects,
        user_agent=settings.fetch_user_agent,
        allow_private=settings.fetch_allow_private_list(),
    )


class WebFeeds:
    def __init__(self, service: Byline):
        settings = service.settings
        self._service = service
        self.registry = FeedRegistry.in_store(service.store.path, settings.database_url)
        self.state = SyncState()
        self._sync = FeedSync(
            self.registry,
            Writer(store=service.ingest_loaded, delete_many=service.delete_many),
            fetch_limits(settings),
            settings.max_article_bytes(),
            settings.sources_max_articles,
            self.state,
        )
        self._running = threading.Lock()
        self._jobs: "queue.Queue[tuple[str, bool, Fetched]]" = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()

    def registered(self) -> list[Feed]:
        return self.registry.all()

    def restore(self, doc_id: str) -> bool:
        """Let a withdrawn article back in (`Byline.restore`), and have the next sync of a feed or sitemap
        that lists it read its page again and store it; whether it was withdrawn."""
        restored = self._service.restore(doc_id)
        if restored:
            self.registry.forget_article(doc_id)
        return restored

    def add(self, urls: list[str], prune: bool = False) -> list[FeedReport]:
        """Read each URL: an article page is stored; a feed or sitemap is registered, then synced."""
        return self._sync.add(urls, prune)

    def add_in_background(self, url: str, prune: bool = False) -> FeedReport:
        """Read `url` now (one request): an article page is stored; a feed or sitemap is registered
        and queued, and the background worker reads its articles (`state` shows how far it is)."""
        report, fetched = self._sync.register(url, prune)
        if fetched is not None:
            self.state.queued(report.url)
            self._jobs.put((report.url, prune, fetched))
            self._start_worker()
        return report

    def _start_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="byline-sources", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        """The background worker: each queued source in turn, while no other sync runs."""
        while True:
            url, prune, fetched = self._jobs.get()
            try:
                with self._running:
                    self.state.started(url)
                    self.state.dequeued(url)
                    report = self._sync.sync_one(url, prune, fetched)  # None: removed while it waited
                for error in report.errors if report else []:
                    log.warning("sync: %s", error)
            except Exception:
                log.exception("reading %s in the background failed", url)
            finally:
                self.state.finished(url)

    def remove(self, url: str, prune: bool = False) -> int:
        """Unregister a feed or sitemap, stopping its sync if one runs; with `prune`, delete the
        articles that it alone brought in (how many). `NotRegistered` when it is not registered."""
        url = url.strip()
        with self.state.stopping(url):
            if not self._running.acquire(timeout=REMOVE_WAIT):
                raise SyncRunning(f"{url}: a sync of the web sources is still running after {REMOVE_WAIT:g} s; try again later")
            try:
                removed = self._sync.remove(url, prune)
            finally:
                self._running.release()
        if removed is None:
            raise NotRegistered(f"{url}: not a registered feed or sitemap (`byline sources` lists them)")
        return removed

    def sync(self, prune: bool = False) -> list[FeedReport]:
        """Re-read every registered feed and sitemap, one at a time; `prune` removes the articles that left them."""
        with self._one_at_a_time():
            return self._sync.sync(prune)

    @contextmanager
    def _one_at_a_time(self) -> Iterator[None]:
        if not self._running.acquire(blocking=False):
            raise SyncRunning("a sync of the web sources is already running; try again when it has finished")
        try:
            yield
        finally:
            self._running.release()


def stale_feeds(service: Byline) -> list[Feed]:
    """The registered feeds and sitemaps whose listing has not been read for BYLINE_STALE_AFTER_HOURS."""
    hours = service.settings.stale_after_hours
    return [source for source in web_feeds(service).registered() if source.stale(hours)]


_BY_SERVICE: "weakref.WeakKeyDictionary[Byline, WebFeeds]" = weakref.WeakKeyDictionary()
_BY_SERVICE_LOCK = threading.Lock()


def web_feeds(service: Byline) -> WebFeeds:
    """The service's `WebFeeds`, made on first use."""
    with _BY_SERVICE_LOCK:
        if service not in _BY_SERVICE:
            _BY_SERVICE[service] = WebFeeds(service)
        return _BY_SERVICE[service]


class BackgroundSync(threading.Thread):
    """Syncs the service's feeds and sitemaps now, then every `every` seconds, until `stop`.
    A sync that fails is logged, and the next one runs on time."""

    def __init__(self, service: Byline, every: float):
        super().__init__(name="byline-sync", daemon=True)
        self.sources = web_feeds(service)
        self.every = every
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                for report in self.sources.sync():
                    for error in report.errors:
                        log.warning("sync: %s", error)
            except SyncRunning:
                pass  # one started by hand is running: it does this one's work
            except Exception:
                log.exception("the background sync failed")
            self._stopped.wait(self.every)

    def stop(self) -> None:
        self._stopped.set()
