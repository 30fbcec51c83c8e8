"""The REST API under /api: ask (whole or streamed as Server-Sent Events), search, and articles."""

import json
import logging
from dataclasses import asdict
from collections.abc import Iterator
from itertools import chain

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.corrections import MAX_REASON_CHARS
from index.loaders import LOADERS
from index.store import StoreBusy
from rag.citation_context import CitationContext
from rag.desk import desk_for
from rag.history import MAX_QUESTION_CHARS
from rag.schema import AskResult, Filters, SearchResult, Turn
from rag.service import Byline
from ui.access import request_key_name
from ui.article_list import MAX_QUERY
from ui.dependencies import ServiceDep
from ui.errors import API_ROUTE, refusals
from ui.render import citation_label
from ui.security import bearer, upload_limit
from ui.uploads import UploadError, UploadOutcome, ingest_uploads

log = logging.getLogger(__name__)
MAX_PAGE = 500
MAX_OFFSET = 10**9  # past any store; SQLite fails on offsets over 2**63


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[Turn] = Field(default_factory=list)
    filters: Filters | None = None


class ArticleSummary(BaseModel):
    doc_id: str
    title: str
    date: str | None = None
    source: str | None = None
    chunks: int


class ArticlePage(BaseModel):
    offset: int
    limit: int
    total: int = Field(description="Articles stored; with q, those q matches.")
    articles: list[ArticleSummary]
    q: str = Field("", description="The search the page is of (empty: every article).")


class ArticleDetail(ArticleSummary):
    url: str | None = None
    dateline: str | None = None
    authors: list[str] = Field(default_factory=list)
    text: str


class UploadResult(BaseModel):
    doc_ids: list[str]
    added: int
    updated: int
    unchanged: int
    chunks: int
    skipped: list[str]
    errors: list[str] = Field(default_factory=list, description="Each file or record not stored, and why.")


def context_event(context: CitationContext) -> dict:
    """A citation's passage for the final stream event: the widget shows it without another request."""
    return {
        "n": context.citation.n,
        "label": citation_label(context.citation),
        "before": context.before,
        "sentence": context.sentence,
        "after": context.after,
        "date": context.date,
        "source": context.source,
        "url": context.url,
    }


def sse(event: str, data: dict) -> str:
    """One Server-Sent Event; JSON keeps the data on one line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


# Keys are checked in front of every route (ui/access.py); `bearer` documents them in the schema.
router = APIRouter(prefix="/api", dependencies=[Depends(bearer)], responses=API_ROUTE)


def busy(error: StoreBusy) -> HTTPException:
    """Another process (a long `byline ingest`) kept the store's write lock past BYLINE_WRITE_WAIT."""
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), headers={"Retry-After": "30"})


def unprocessable(error: ValueError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error))


def answering_failed(error: Exception) -> HTTPException:
    """A bad question or filter is the caller's (422); anything else, an LLM server down say, is ours."""
    if isinstance(error, ValueError):
        return unprocessable(error)
    log.exception("answering failed")
    return HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, f"answering failed: {error}")


@router.post("/ask", response_model=AskResult, tags=["ask"], responses=refusals(500))
def ask(request: AskRequest, service: ServiceDep, http: Request) -> AskResult:
    """Answer a question from the articles, citing the sentences the answer comes from."""
    try:
        result = service.ask(request.question, request.history, request.filters)
    except Exception as error:
        raise answering_failed(error) from None
    desk_for(service).asked(result, request_key_name(http.headers))
    return result


@router.post(
    "/ask/stream",
    tags=["ask"],
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "`delta` events, then one `result` event."},
        **refusals(500),
    },
)
async def ask_stream(request: AskRequest, service: ServiceDep, http: Request) -> StreamingResponse:
    """Server-Sent Events: `delta` events `{"text"}` as the answer is produced, then one `result`
    event: the ask result plus `contexts` (each citation's sentence in its passage). A failure
    after streaming began ends the stream with an `error` event `{"detail"}`."""
    items = service.ask_stream(request.question, request.history, request.filters)
    try:
        # Retrieval and the answerer's start run before the first item: their failures still
        # get a plain HTTP error.
        first = await run_in_threadpool(next, items)
    except Exception as error:
        raise answering_failed(error) from None
    return StreamingResponse(
        _events(service, chain([first], items), request_key_name(http.headers)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _events(service: Byline, items: Iterator[str | AskResult], key_name: str) -> Iterator[str]:
    try:
        for item in items:
            if isinstance(item, AskResult):
                desk_for(service).asked(item, key_name)
                contexts = [context_event(c) for c in service.citation_contexts(item.citations)]
                yield sse("result", {**item.model_dump(), "contexts": contexts})
            else:
                yield sse("delta", {"text": item})
    except Exception as error:  # the response has started: report in-band, keep the server up
        log.exception("streamed answer failed")
        yield sse("error", {"detail": f"answering failed: {error}"})


@router.get("/search", response_model=SearchResult, tags=["search"])
def search(
    service: ServiceDep,
    q: str = Query(min_length=1, description="What to look for."),
    k: int = Query(10, ge=1, le=100),
    per_doc: int = Query(1, ge=1, le=10),
    source: str | None = None,
    date_from: str | None = Query(None, description="ISO date, YYYY-MM-DD."),
    date_to: str | None = Query(None, description="ISO date, YYYY-MM-DD."),
    doc_ids: list[str] = Query([], description="Repeat to allow several."),
) -> SearchResult:
    """The articles that best match `q`."""
    if not q.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "query parameter 'q' is empty")
    filters = Filters(source=source, date_from=date_from, date_to=date_to, doc_ids=doc_ids or None)
    try:
        return service.search(q, k=k, per_doc=per_doc, filters=filters)
    except ValueError as error:
        raise unprocessable(error) from None


@router.get("/articles", response_model=ArticlePage, tags=["articles"])
def articles(
    service: ServiceDep,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    q: str = Query("", max_length=MAX_QUERY, description="Words each held by the doc_id, title or source (any case)."),
) -> ArticlePage:
    """Indexed articles, newest ingest first; with `q`, those whose doc_id, title or source holds each of its words."""
    q = " ".join(q.split())
    page = [
        ArticleSummary(doc_id=a.article.doc_id, title=a.article.title, date=a.article.date, source=a.article.source, chunks=a.chunks)
        for a in service.articles(offset, limit, q)
    ]
    return ArticlePage(offset=offset, limit=limit, total=service.count(q), articles=page, q=q)


@router.get("/articles/{doc_id:path}", response_model=ArticleDetail, tags=["articles"], responses=refusals(404))
def article(doc_id: str, service: ServiceDep) -> ArticleDetail:
    """One article: its full text and metadata."""
    stored = service.article(doc_id)
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article with doc_id '{doc_id}'")
    a = stored.article
    return ArticleDetail(
        doc_id=a.doc_id,
        title=a.title,
        date=a.date,
        source=a.source,
        chunks=stored.chunks,
        url=a.url,
        dateline=a.dateline,
        authors=a.authors,
        text=a.text,
    )


class Deleted(BaseModel):
    deleted: str = Field(description="The doc_id removed.")


@router.delete("/articles/{doc_id:path}", response_model=Deleted, tags=["articles"], responses=refusals(404, 503))
def delete(doc_id: str, service: ServiceDep) -> Deleted:
    """Remove one article from the index."""
    try:
        removed = service.delete(doc_id)
    except StoreBusy as error:
        raise busy(error) from None
    if not removed:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article with doc_id '{doc_id}'")
    return Deleted(deleted=doc_id)


class WithdrawRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS, description="Why it is withdrawn, kept for the desk.")


class WithdrawnArticle(BaseModel):
    doc_id: str
    reason: str
    title: str
    url: str | None = None
    withdrawn_at: str = Field(description="When, ISO 8601 (UTC).")
    withdrawn_by: str = Field(description="The name of the key that withdrew it (never the key).")


class WithdrawnList(BaseModel):
    withdrawn: list[WithdrawnArticle] = Field(description="The newest withdrawal first.")


@router.post("/articles/{doc_id:path}/withdraw", response_model=WithdrawnArticle, tags=["articles"], responses=refusals(404, 503))
def withdraw(doc_id: str, body: WithdrawRequest, service: ServiceDep, http: Request) -> WithdrawnArticle:
    """Withdraw an article: remove it from the index, and keep every later ingest, upload and feed sync
    from adding it again; the reason is kept (`GET /api/withdrawn`). Withdrawing it again replaces the reason."""
    try:
        record = service.withdraw(doc_id, body.reason, by=request_key_name(http.headers))
    except StoreBusy as error:
        raise busy(error) from None
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except ValueError as error:  # a reason of blanks only
        raise unprocessable(error) from None
    return WithdrawnArticle(**asdict(record))


@router.get("/withdrawn", response_model=WithdrawnList, tags=["articles"])
def withdrawn(service: ServiceDep) -> WithdrawnList:
    """The withdrawn articles, with why, when and by which key."""
    return WithdrawnList(withdrawn=[WithdrawnArticle(**asdict(record)) for record in service.withdrawals()])


@router.post(
    "/articles",
    response_model=UploadResult,
    tags=["articles"],
    dependencies=[Depends(upload_limit)],
    responses=refusals(411, 503),
    description=(
        f"Add articles: multipart field `files`, each a {' '.join(LOADERS)} file. A file's name becomes"
        " its doc_id. The good files are stored and `errors` names each bad file (and line); 422 when"
        " none is good."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["files"],
                        "properties": {"files": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"}}},
                    }
                }
            },
        }
    },
)
async def upload(request: Request, service: ServiceDep) -> UploadResult:
    limit = service.settings.max_upload_files
    try:
        # Starlette stops reading at the file past the limit, and answers malformed bodies with a 400.
        async with request.form(max_files=limit, max_fields=10) as form:
            uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
            files = [(item.filename, await item.read()) for item in uploads]
    except StarletteHTTPException as error:  # what Starlette raises, FastAPI's is a subclass
        if str(error.detail).startswith("Too many files"):
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"More than {limit} files in one upload (BYLINE_MAX_UPLOAD_FILES).") from None
        raise
    if not files:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "send the articles as multipart field 'files'")
    try:
        outcome: UploadOutcome = await run_in_threadpool(ingest_uploads, service, files)
    except UploadError as error:
        raise unprocessable(error) from None
    except StoreBusy as error:
        raise busy(error) from None
    return UploadResult(**vars(outcome))
