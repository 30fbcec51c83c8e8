"""One ASGI app: the REST API, the widget and the API docs beside the Gradio UI mounted at `/`."""

import gradio as gr
from fastapi import FastAPI

from rag.service import Byline
from ui.api import api_router
from ui.gradio_app import build_app
from ui.security import add_cors
from ui.widget import widget_router


def create_app(service: Byline) -> FastAPI:
    # Swagger UI loads from a CDN, which fails offline: /api/docs is a local page over the schema.
    app = FastAPI(title="Byline", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    add_cors(app, service.settings)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok", "articles": service.count()}

    app.include_router(api_router(service))
    app.include_router(widget_router())
    demo = build_app(service)
    # Gradio last: its catch-all `/` mount would shadow routes added after it.
    return gr.mount_gradio_app(
        app, demo, path="/", css=demo.byline_css, footer_links=["api"], max_file_size=f"{service.settings.max_upload_mb}mb"
    )
