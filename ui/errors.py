"""The API's refusals as /api/openapi.json declares them: one body for every error status, the
statuses each route may answer, and 405 (not Gradio's 404) for a method a route does not take."""

import re

from fastapi import FastAPI, HTTPException, status
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.routing import compile_path
from starlette.types import Receive, Scope, Send


class FieldError(BaseModel):
    """One part of a request that does not match the schema, as FastAPI reports it."""

    loc: list[str | int] = Field(description="Where: the body, query or path, then the field.")
    msg: str
    type: str


class ErrorDetail(BaseModel):
    """Every error response's body."""

    detail: str | list[FieldError] = Field(description="Why, in words; a request that does not match the schema (a 422 from validation) lists its faults.")


REASONS = {
    400: "Malformed request: a body that cannot be parsed, or a Host this server does not answer to.",
    401: "No key, or one that is not configured (`WWW-Authenticate: Bearer`).",
    403: "The key may not do this (a reader key on an admin route), or the request's origin may not use it.",
    404: "Nothing with that identifier.",
    405: "The path does not take this method (`Allow` lists those it does).",
    409: "Another sync is running.",
    411: "No Content-Length header.",
    413: "The body is over its limit.",
    422: "The request is well formed but cannot be used: `detail` says why.",
    429: "Too many requests, or too many failed keys, from this caller: wait `Retry-After` seconds.",
    500: "Answering failed (an LLM server down, say).",
    503: "Another process held the store's write lock past BYLINE_WRITE_WAIT: try again after `Retry-After` seconds.",
}


def refusals(*codes: int) -> dict[int | str, dict]:
    """A `responses=` entry declaring each status with the one error body."""
    return {code: {"model": ErrorDetail, "description": REASONS[code]} for code in codes}


# Any request: the access check, the body limits and FastAPI's own validation answer before a route does.
ANY_ROUTE = refusals(400, 413, 429)
API_ROUTE = {**ANY_ROUTE, **refusals(401, 403, 422)}


def answer_other_methods(app: FastAPI) -> None:
    """After the app's own routes, one per path taking every other method with 405: without it a
    request no route takes falls through to Gradio's catch-all mount, which answers 404.
    Call before mounting Gradio."""
    routes = [route for route in iter_route_contexts(app.router.routes) if getattr(route, "methods", None)]
    not_allowed = NotAllowed([(compile_path(route.path)[0], literal_length(route.path), route.methods) for route in routes])
    for path in dict.fromkeys(route.path for route in routes):
        # An ASGI app, not a function: Starlette would give a function route GET only.
        app.router.add_route(path, not_allowed, methods=None, include_in_schema=False)


def literal_length(template: str) -> int:
    """How much of a path template is written out: /api/articles/{doc_id:path}/withdraw says more than
    /api/articles/{doc_id:path}, and /api/sources/sync more than /api/sources/{url:path}."""
    return len(re.sub(r"\{[^}]*\}", "", template))


class NotAllowed:
    """405, with `Allow` naming the methods of the path's own routes: those of the most specific
    templates it matches (/api/sources/sync before /api/sources/{url:path})."""

    def __init__(self, routes: list[tuple[re.Pattern, int, set[str]]]):
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matching = [(literal, methods) for pattern, literal, methods in self.routes if pattern.match(scope["path"])]
        most = max((literal for literal, _ in matching), default=0)
        own = [methods for literal, methods in matching if literal == most]
        allow = ", ".join(sorted(set().union(*own)))
        raise HTTPException(status.HTTP_405_METHOD_NOT_ALLOWED, headers={"Allow": allow})
