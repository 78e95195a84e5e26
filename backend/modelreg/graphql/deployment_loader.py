"""The DataLoader of versions' deployment pages (graphql/deployments.py), apart from the
GraphQL types so that `loaders.py` can build it without importing the request context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from modelreg.db.models import Deployment
from modelreg.services import deployments as deployment_service
from modelreg.services.pagination import Page

PageKey = tuple[int, deployment_service.PageRequest]


def deployment_page_loader(
    read: Callable[[], AbstractAsyncContextManager[AsyncSession]],
) -> DataLoader[PageKey, Page[Deployment] | None]:
    """Pages of many versions' deployments: one statement for each distinct page request
    (a list of versions asks the same page of each: one statement)."""

    async def load(keys: Sequence[PageKey]) -> list[Page[Deployment] | None]:
        by_request: dict[deployment_service.PageRequest, list[int]] = {}
        for version_id, request in keys:
            by_request.setdefault(request, []).append(version_id)
        found: dict[PageKey, Page[Deployment]] = {}
        async with read() as session:
            for request, version_ids in by_request.items():
                pages = await deployment_service.deployment_pages(session, version_ids, request)
                found.update({(v, request): page for v, page in pages.items()})
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)
