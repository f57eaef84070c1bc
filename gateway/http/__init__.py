"""HTTP edge: Starlette app, authentication, request limits."""
