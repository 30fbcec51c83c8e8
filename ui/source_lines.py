"""What reading a web source did, and what the registered sources are, as lines of plain text (the
CLI and the Articles tab)."""

from index.sources.registry import Source
from index.sources.sync import SourceReport
from ui.render import counted

KINDS = {"page": "an article page", "feed": "a feed", "sitemap": "a sitemap"}


def report_line(report: SourceReport) -> str:
    """`URL: a feed "Title": 3 articles (2 added, 1 updated, 0 unchanged), 1 removed, 4 new chunks`
    (a URL that could not be read at all has only its errors)."""
    what = KINDS.get(report.kind, report.kind) + (f' "{report.title}"' if report.title else "")
    if report.not_modified:
        return f"{report.url}: {what}, not modified since the last sync"
    read = report.added + report.updated + report.unchanged
    line = (
        f"{report.url}: {what}: {counted(read, 'article')} ({report.added} added, {report.updated} updated,"
        f" {report.unchanged} unchanged)"
    )
    if report.removed:
        line += f", {report.removed} removed"
    return line + f", {counted(report.chunks, 'new chunk')}"


def source_line(source: Source) -> str:
    """One registered source, tab-separated: URL, kind, articles, last sync, last error (or ok)."""
    return "\t".join(
        [
            source.url,
            source.kind + (" (pruned)" if source.prune else ""),
            counted(source.articles, "article"),
            f"synced {source.last_sync}" if source.last_sync else "never synced",
            f"error: {source.last_error}" if source.last_error else "ok",
        ]
    )


def queued_line(report: SourceReport) -> str:
    """`URL: a feed "Title" is registered; its articles are being read in the background`."""
    what = KINDS.get(report.kind, report.kind) + (f' "{report.title}"' if report.title else "")
    return f"{report.url}: {what} is registered; its articles are being read in the background, one source at a time"


def add_url_markdown(service, url: str) -> str:
    """The Articles tab's "Add from URL": read `url` into the store (a feed's or sitemap's articles
    in the background); what happened, as Markdown (URLs, titles and messages shown as written, never
    as markup)."""
    from rag.sources import is_web_address, web_sources
    from ui.uploads import _markdown_text

    url = (url or "").strip()
    if not is_web_address(url):
        return "Give the address (http:// or https://) of an article page, an RSS/Atom feed or a sitemap."
    report = web_sources(service).add_in_background(url)
    if report.kind is None:
        return "Nothing was added: " + _markdown_text("; ".join(report.errors))
    if report.kind != "page":
        return _markdown_text(queued_line(report)) + " (refresh the page to see them)."
    message = _markdown_text(report_line(report))
    problems = [f"- skipped {_markdown_text(s)}" for s in report.skipped] + [f"- {_markdown_text(e)}" for e in report.errors]
    return message + ("\n\nNot added:\n" + "\n".join(problems) if problems else "")
