"""What reading a web source did, and what the registered sources are, as lines of plain text (the
CLI and the Articles tab), and the Articles tab's actions on them: add from URL, the sources table,
sync now, remove."""

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from index.feeds.registry import Feed
from index.feeds.sync import FeedReport
from ui.render import counted

if TYPE_CHECKING:
    from rag.feeds import SyncProgress

KINDS = {"page": "an article page", "feed": "a feed", "sitemap": "a sitemap"}
SOURCE_COLUMNS = ["URL", "kind", "status", "articles", "last sync", "last error"]


def report_line(report: FeedReport) -> str:
    """`URL: a feed "Title": 3 articles (2 added, 1 updated, 0 unchanged), 1 removed, 4 new chunks`
    (a URL that could not be read at all has only its errors)."""
    what = KINDS.get(report.kind, report.kind) + (f' "{report.title}"' if report.title else "")
    if report.not_modified:
        return f"{report.url}: {what}, not modified since the last sync"
    read = report.added + report.updated + report.unchanged
    line = f"{report.url}: {what}: {counted(read, 'article')} ({report.added} added, {report.updated} updated, {report.unchanged} unchanged)"
    if report.removed:
        line += f", {report.removed} removed"
    return line + f", {counted(report.chunks, 'new chunk')}"


def source_cells(source: Feed, stale_after_hours: float = 0) -> list[str]:
    """One registered source: URL, kind, articles, last sync (STALE first when its listing has not
    been read for `stale_after_hours`), last error (or ok)."""
    synced = f"synced {readable_time(source.last_sync)}" if source.last_sync else "never synced"
    if source.stale(stale_after_hours):
        read = f"listing last read {readable_time(source.last_success)}" if source.last_success else "listing never read"
        synced = f"STALE ({read})" + ("" if source.last_success == source.last_sync else f"; {synced}")
    return [
        source.url,
        source.kind + (" (pruned)" if source.prune else ""),
        counted(source.articles, "article"),
        synced,
        f"error: {source.last_error}" if source.last_error else "ok",
    ]


def readable_time(stamp: str) -> str:
    """ "2026-12-04T13:52:16+00:00" as "4 Dec 2026 13:52 UTC"; anything else as it is."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def source_line(source: Feed, stale_after_hours: float = 0) -> str:
    """One registered source, tab-separated: URL, kind, articles, last sync (or STALE), last error (or ok)."""
    return "\t".join(source_cells(source, stale_after_hours))


def status_text(progress: "SyncProgress | None") -> str:
    """`idle`, `queued`, `syncing` (its listing not read yet) or `syncing 3/10`."""
    if progress is None:
        return "idle"
    if progress.status == "syncing" and progress.total is not None:
        return f"syncing {progress.done}/{progress.total}"
    return progress.status


def removed_line(url: str, prune: bool, removed: int) -> str:
    """`URL: removed`, and with `prune` how many articles went with it."""
    return f"{url}: removed" + (f", and {counted(removed, 'article')} that only it brought in" if prune else "")


def queued_line(report: FeedReport) -> str:
    """`URL: a feed "Title" is registered; its articles are being read in the background`."""
    what = KINDS.get(report.kind, report.kind) + (f' "{report.title}"' if report.title else "")
    return f"{report.url}: {what} is registered; its articles are being read in the background, one source at a time"


def add_url_markdown(service, url: str) -> str:
    """The Articles tab's "Add from URL": read `url` into the store (a feed's or sitemap's articles
    in the background); what happened, as Markdown (URLs, titles and messages shown as written, never
    as markup)."""
    return add_url_status(service, url)[0]


def add_url_status(service, url: str) -> tuple[str, str]:
    """`add_url_markdown`'s message, and the feed or sitemap whose articles are now read in the
    background ("" for none: `awaited_markdown` follows it)."""
    from rag.feeds import is_web_address, web_feeds
    from ui.uploads import _markdown_text

    url = (url or "").strip()
    if not is_web_address(url):
        return "Give the address (http:// or https://) of an article page, an RSS/Atom feed or a sitemap.", ""
    report = web_feeds(service).add_in_background(url)
    if report.kind is None:
        return "Nothing was added: " + _markdown_text("; ".join(report.errors)), ""
    if report.kind != "page":
        return _markdown_text(queued_line(report)) + " (the feeds and sitemaps table shows how far).", report.url
    message = _markdown_text(report_line(report))
    problems = [f"- skipped {_markdown_text(s)}" for s in report.skipped] + [f"- {_markdown_text(e)}" for e in report.errors]
    return message + ("\n\nNot added:\n" + "\n".join(problems) if problems else ""), ""


def awaited_markdown(service, url: str) -> tuple[str, bool]:
    """What "Add from URL" says of the feed or sitemap `url` as its articles are read in the background,
    as Markdown, and whether they still are (queued or syncing): the Articles tab's status follows it."""
    from rag.feeds import web_feeds
    from ui.uploads import _markdown_text

    sources = web_feeds(service)
    progress = sources.state.snapshot().get(url)
    source = next((s for s in sources.registered() if s.url == url), None)
    if source is None:
        return _markdown_text(f"{url}: no longer registered."), False
    what = KINDS.get(source.kind, source.kind) + (f' "{source.title}"' if source.title else "")
    if progress is not None:
        line = f"{url}: {what} is registered; its articles are being read in the background ({status_text(progress)})"
        return _markdown_text(line) + ".", True
    line = f"{url}: {what}: read, {counted(source.articles, 'article')} from it in the store"
    return _markdown_text(line + (f"; error: {source.last_error}" if source.last_error else "")) + ".", False


def source_rows(service) -> tuple[list[list[str]], bool]:
    """The Articles tab's table of registered feeds and sitemaps (SOURCE_COLUMNS, plain text cells),
    and whether any source is queued or syncing."""
    from rag.feeds import web_feeds

    sources = web_feeds(service)
    progress = sources.state.snapshot()
    rows = []
    for source in sources.registered():
        url, kind, *rest = source_cells(source, service.settings.stale_after_hours)
        *rest, error = rest
        rows.append([url, kind, status_text(progress.get(source.url)), *rest, "" if error == "ok" else error])
    return rows, bool(progress)


def sync_markdown(service) -> str:
    """The Articles tab's "Sync now": every registered feed and sitemap read again, as `byline sync`
    does; what each did, as Markdown."""
    from rag.feeds import SyncRunning, web_feeds
    from ui.uploads import _markdown_text

    try:
        reports = web_feeds(service).sync()
    except SyncRunning as error:
        return _markdown_text(str(error))
    if not reports:
        return 'No feeds or sitemaps are registered: add one with "Add from URL".'
    lines = []
    for report in reports:
        lines += [report_line(report)] if report.kind else []
        lines += [f"skipped {skipped}" for skipped in report.skipped] + [f"error: {error}" for error in report.errors]
    return "\n".join(f"- {_markdown_text(line)}" for line in lines)


def remove_markdown(service, url: str | None, prune: bool) -> str:
    """The Articles tab's "Remove source", as `byline sources remove URL [--prune]`, as Markdown."""
    from rag.feeds import NotRegistered, SyncRunning, web_feeds
    from ui.uploads import _markdown_text

    url = (url or "").strip()
    if not url:
        return "Choose a feed or sitemap to remove."
    try:
        removed = web_feeds(service).remove(url, prune)
    except (NotRegistered, SyncRunning) as error:
        return _markdown_text(str(error))
    return _markdown_text(removed_line(url, prune, removed)) + "."
