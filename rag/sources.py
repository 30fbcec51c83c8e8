"""Articles from the web for the service: article URLs, RSS/Atom feeds and sitemaps, read into
the store through its normal write path (`Byline.ingest_loaded`, `Byline.delete`), and kept in
sync, on demand or in the background while `byline serve` runs.

One `WebSources` per service (`web_sources`), shared by the CLI, the API, the Articles tab and the
background sync: it runs one sync at a time.
"""

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from index.sources.fetcher import FetchLimits
from index.sources.registry import Source, SourceRegistry
from index.sources.sync import SourceReport, SourceSync, Writer
from rag.service import Byline
from rag.settings import Settings

log = logging.getLogger(__name__)
WEB_PREFIXES = ("http://", "https://")


class SyncRunning(RuntimeError):
    """A sync is already running for this store in this process."""


def is_web_address(text: str) -> bool:
    return text.strip().lower().startswith(WEB_PREFIXES)


def fetch_limits(settings: Settings) -> FetchLimits:
    return FetchLimits(
        timeout=settings.fetch_timeout,
        max_bytes=int(settings.fetch_max_mb * 1024 * 1024),
        delay=settings.fetch_delay,
        max_redirects=settings.fetch_max_redirects,
        user_agent=settings.fetch_user_agent,
    )


class WebSources:
    def __init__(self, service: Byline):
        settings = service.settings
        self.registry = SourceRegistry.in_store(service.store.path)
        self._sync = SourceSync(
            self.registry,
            Writer(store=service.ingest_loaded, delete=service.delete),
            fetch_limits(settings),
            settings.max_article_bytes(),
            settings.sources_max_articles,
        )
        self._running = threading.Lock()

    def registered(self) -> list[Source]:
        return self.registry.all()

    def add(self, urls: list[str], prune: bool = False) -> list[SourceReport]:
        """Read each URL: an article page is stored; a feed or sitemap is registered, then synced."""
        return self._sync.add(urls, prune)

    def sync(self, prune: bool = False) -> list[SourceReport]:
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


_BY_SERVICE: "weakref.WeakKeyDictionary[Byline, WebSources]" = weakref.WeakKeyDictionary()
_BY_SERVICE_LOCK = threading.Lock()


def web_sources(service: Byline) -> WebSources:
    """The service's `WebSources`, made on first use."""
    with _BY_SERVICE_LOCK:
        if service not in _BY_SERVICE:
            _BY_SERVICE[service] = WebSources(service)
        return _BY_SERVICE[service]


class BackgroundSync(threading.Thread):
    """Syncs the service's feeds and sitemaps now, then every `every` seconds, until `stop`.
    A sync that fails is logged, and the next one runs on time."""

    def __init__(self, service: Byline, every: float):
        super().__init__(name="byline-sync", daemon=True)
        self.sources = web_sources(service)
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
