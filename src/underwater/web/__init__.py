"""The web front: HTML pages and a JSON API over every job in :func:`underwater.ops.operations`.

Build the ASGI app with :func:`underwater.web.app.create_app` (needs the ``web`` extra:
Starlette, uvicorn, Jinja2) or run ``underwater serve``. This package's ``__init__`` imports
nothing, so the CLI can register ``serve`` without loading the web framework.
"""
