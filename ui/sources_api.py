"""The REST API for articles from the web, under /api/sources: add an article URL, a feed or a
sitemap; list the registered feeds and sitemaps; sync them. Admin keys only (ui/route_access.py)."""

from dataclasses import asdict

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from rag.sources import SyncRunning, is_web_address, web_sources
from ui.dependencies import ServiceDep
from ui.security import bearer

router = APIRouter(prefix="/api/sources", tags=["sources"], dependencies=[Depends(bearer)])


class AddSource(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="An article page, an RSS/Atom feed or an XML sitemap: told apart by content.")
    prune: bool = Field(False, description="A feed or sitemap: each sync removes the articles that have left it.")


class SyncRequest(BaseModel):
    prune: bool = Field(False, description="Remove the articles that have left their feed or sitemap (and are in no other).")


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
    skipped: list[str] = Field(description="Listed pages that robots.txt keeps crawlers out of.")
    errors: list[str] = Field(description="Each URL that could not be read or stored, and why.")


class SourceInfo(BaseModel):
    url: str
    kind: str
    title: str | None = None
    prune: bool
    added: str
    last_sync: str | None = None
    last_error: str | None = None
    articles: int


class SourceList(BaseModel):
    sources: list[SourceInfo]


class SyncResult(BaseModel):
    sources: list[SourceResult]


@router.post("", response_model=SourceResult)
async def add_source(request: AddSource, service: ServiceDep) -> SourceResult:
    """Read a URL: an article page is stored (its doc_id is its canonical URL); a feed or sitemap is
    registered and its articles are stored. 422 when nothing could be read (`detail` says why)."""
    if not is_web_address(request.url):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{request.url}: not a web address (http:// or https://)")
    report = (await run_in_threadpool(web_sources(service).add, [request.url], request.prune))[0]
    if report.kind is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "; ".join(report.errors))
    return SourceResult(**asdict(report))


@router.get("", response_model=SourceList)
def list_sources(service: ServiceDep) -> SourceList:
    """The registered feeds and sitemaps: their articles, last sync and last error."""
    return SourceList(sources=[SourceInfo(**asdict(source)) for source in web_sources(service).registered()])


@router.post("/sync", response_model=SyncResult)
async def sync_sources(service: ServiceDep, request: SyncRequest | None = None) -> SyncResult:
    """Read every registered feed and sitemap again, one at a time: new articles are added, changed
    ones updated. Each source's problems are in its `errors`; 409 while another sync runs."""
    prune = request.prune if request else False
    try:
        reports = await run_in_threadpool(web_sources(service).sync, prune)
    except SyncRunning as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return SyncResult(sources=[SourceResult(**asdict(report)) for report in reports])
