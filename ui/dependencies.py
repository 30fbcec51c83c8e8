"""What routes are given through FastAPI dependencies: the service `create_app` put on the app,
and its settings. Tests swap the service with `app.dependency_overrides[get_service]`."""

from typing import Annotated

from fastapi import Depends, Request

from rag.service import Byline
from rag.settings import Settings


# async: a plain `def` would take a worker thread for an attribute lookup.
async def get_service(request: Request) -> Byline:
    return request.app.state.service


ServiceDep = Annotated[Byline, Depends(get_service)]


async def get_settings(service: ServiceDep) -> Settings:
    return service.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]
