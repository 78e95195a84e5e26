"""The server's access log without the query strings of `/graphql` requests.

A GET request carries its document and variables in the query string, and the access log
(uvicorn's `uvicorn.access` logger) prints the path with it: a mutation sent by GET (refused,
but logged) would put its password in the log. The query string of `/graphql` is elided.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
ELIDED = "?[query elided]"


class ElideGraphQLQueries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn logs '%s - "%s %s HTTP/%s" %d' with (client, method, path?query, version, status)
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, separator, _ = args[2].partition("?")
            if separator and path.rstrip("/").endswith("/graphql"):
                record.args = (*args[:2], path + ELIDED, *args[3:])
        return True


def elide_graphql_queries() -> None:
    """Installs the filter on the access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, ElideGraphQLQueries) for f in logger.filters):
        logger.addFilter(ElideGraphQLQueries())
