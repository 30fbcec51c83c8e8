"""One ASGI app: the REST API beside the Gradio UI mounted at `/`."""

import gradio as gr
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from rag.models import AskResult, Filters, SearchResult, Turn
from rag.service import Byline
from ui.gradio_app import build_app


class AskRequest(BaseModel):
    question: str = Field(min_length=1)
    history: list[Turn] = Field(default_factory=list)
    filters: Filters | None = None


def create_app(service: Byline) -> FastAPI:
    api = FastAPI(title="Byline", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)

    @api.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "articles": service.store.docs.count()}

    @api.post("/api/ask", response_model=AskResult)
    def ask(request: AskRequest) -> AskResult:
        try:
            return service.ask(request.question, request.history, request.filters)
        except ValueError as error:
            raise HTTPException(status_code=422, detail=str(error)) from None

    @api.get("/api/search", response_model=SearchResult)
    def search(q: str, k: int = 10, per_doc: int = 1) -> SearchResult:
        if not q.strip():
            raise HTTPException(status_code=422, detail="query parameter 'q' is empty")
        return service.search(q, k=k, per_doc=per_doc)

    demo = build_app(service)
    return gr.mount_gradio_app(api, demo, path="/", css=demo.byline_css, footer_links=["api"])
