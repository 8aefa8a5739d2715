"""The HTTP API (`/v1`): FastAPI app factory, routers per resource, keys, problems, paging."""
