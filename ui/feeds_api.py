"""The REST API for articles from the web, under /api/sources: add an article URL, a feed or a
sitemap (its articles read in the background); list the registered feeds and sitemaps with how far
each sync is; sync them; remove one. Admin keys only (ui/route_access.py)."""

from dataclasses import asdict

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StrictBool

from index.feeds.registry import Feed
from rag.feeds import NotRegistered, SyncProgress, SyncRunning, WebFeeds, web_feeds
from ui.dependencies import ServiceDep
from ui.errors import API_ROUTE, refusals
from ui.security import bearer

# What rag.feeds.is_web_address takes, checked by the schema (JSON Schema patterns have no case-insensitive flag).
WEB_ADDRESS = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://"
router = APIRouter(prefix="/api/sources", tags=["sources"], dependencies=[Depends(bearer)], responses=API_ROUTE)


class AddSource(BaseModel):
    url: str = Field(
        min_length=1,
        max_length=2000,
        pattern=WEB_ADDRESS,
        description="An article page, an RSS/Atom feed or an XML sitemap (http:// or https://): told apart by content.",
    )
    prune: StrictBool = Field(False, description="A feed or sitemap: each sync removes the articles that have left it.")


class SyncRequest(BaseModel):
    prune: StrictBool = Field(False, description="Remove the articles that have left their feed or sitemap (and are in no other).")


class Progress(BaseModel):
    done: int = Field(description="Entries of its listing read so far (fetched, unchanged or failed).")
    total: int | None = Field(description="Entries to read in this sync; null until its listing is read.")


class SourceInfo(BaseModel):
    url: str
    kind: str
    title: str | None = None
    prune: bool
    added: str
    last_sync: str | None = None
    last_error: str | None = None
    articles: int
    last_success: str | None = Field(None, description="The last sync that read its listing (a 304 included).")
    stale: bool = Field(False, description="Its listing has not been read for BYLINE_STALE_AFTER_HOURS.")
    status: str = Field("idle", description="`queued` (waiting for the background worker), `syncing`, or `idle`.")
    progress: Progress | None = Field(None, description="While syncing: how far it is.")


class SourceResult(BaseModel):
    url: str
    kind: str | None = Field(description="`page`, `feed` or `sitemap`; null when nothing could be read.")
    title: str | None = None
    doc_ids: list[str] = Field(description="The articles written: added, updated or unchanged.")
    added: int
    updated: int
    unchanged: int
    removed: int
    chunks: int
    not_modified: bool = Field(description="The feed or sitemap answered 304: nothing new since the last sync.")
    skipped: list[str] = Field(description="Listed pages that robots.txt keeps crawlers out of, and articles the desk withdrew.")
    errors: list[str] = Field(description="Each URL that could not be read or stored, and why.")
    status: str = Field(
        "done",
        description="`done`; or, for a feed or sitemap just added (202), `queued` or `syncing`: its articles are read"
        " in the background, and `GET /api/sources` shows how far.",
    )
    source: SourceInfo | None = Field(None, description="A feed or sitemap just added: its registration.")


class SourceList(BaseModel):
    sources: list[SourceInfo]


class SyncResult(BaseModel):
    sources: list[SourceResult]


class Removed(BaseModel):
    url: str
    removed: int = Field(description="Articles deleted (with `prune`): those that no other feed or sitemap brings in.")


def _info(source: Feed, progress: SyncProgress | None, stale_after_hours: float) -> SourceInfo:
    shown = Progress(done=progress.done, total=progress.total) if progress and progress.status == "syncing" else None
    status = progress.status if progress else "idle"
    return SourceInfo(**asdict(source), stale=source.stale(stale_after_hours), status=status, progress=shown)


def _registration(sources: WebFeeds, url: str, stale_after_hours: float) -> SourceInfo | None:
    source = sources.registry.get(url)
    return _info(source, sources.state.snapshot().get(url), stale_after_hours) if source else None


@router.post("", response_model=SourceResult, status_code=status.HTTP_200_OK, responses={202: {"model": SourceResult}})
async def add_source(request: AddSource, service: ServiceDep, response: Response) -> SourceResult:
    """Read a URL: an article page is stored (its doc_id is its canonical URL), 200; a feed or sitemap
    is registered and its articles are read in the background, one source at a time, 202 at once
    (`GET /api/sources` shows how far). 422 when nothing could be read (`detail` says why)."""
    sources = web_feeds(service)
    report = await run_in_threadpool(sources.add_in_background, request.url, request.prune)
    if report.kind is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(report.errors))
    if report.kind == "page":
        return SourceResult(**asdict(report))
    registration = _registration(sources, report.url, service.settings.stale_after_hours)
    response.status_code = status.HTTP_202_ACCEPTED
    return SourceResult(**asdict(report), status=registration.status if registration else "done", source=registration)


@router.get("", response_model=SourceList)
def list_sources(service: ServiceDep) -> SourceList:
    """The registered feeds and sitemaps: their articles, last sync and last error, and whether each
    is queued or syncing (how far) in this server."""
    sources = web_feeds(service)
    progress = sources.state.snapshot()
    hours = service.settings.stale_after_hours
    return SourceList(sources=[_info(source, progress.get(source.url), hours) for source in sources.registered()])


@router.delete("/{url:path}", response_model=Removed, responses=refusals(404, 409))
async def remove_source(url: str, service: ServiceDep, prune: bool = False) -> Removed:
    """Unregister a feed or sitemap (its URL percent-encoded in the path), stopping its sync if one
    runs; with `?prune=true`, also delete the articles that it alone brought in. 404 when it is not
    registered; 409 when a sync would not let go."""
    try:
        removed = await run_in_threadpool(web_feeds(service).remove, url, prune)
    except NotRegistered as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except SyncRunning as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return Removed(url=url, removed=removed)


@router.post("/sync", response_model=SyncResult, responses=refusals(409))
async def sync_sources(service: ServiceDep, request: SyncRequest | None = None) -> SyncResult:
    """Read every registered feed and sitemap again, one at a time: new articles are added, changed
    ones updated. Each source's problems are in its `errors`; 409 while another sync runs."""
    prune = request.prune if request else False
    try:
        reports = await run_in_threadpool(web_feeds(service).sync, prune)
    except SyncRunning as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return SyncResult(sources=[SourceResult(**asdict(report)) for report in reports])
