"""Render one page of a project archive from ``templates/_shared/archive/`` (autoescaped).

The archive renders thousands of pages from a handful of templates in one go, so it uses an
overlay of the mail templates' environment that does not stat each template file on every use
(``auto_reload`` off) and keeps its own compiled templates.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError

from mailflow.outbound.rendering.compose import RenderError
from mailflow.outbound.rendering.templating import environment


@lru_cache(maxsize=4)
def _environment(templates_dir: Path | None) -> Environment:
    return environment(templates_dir).overlay(auto_reload=False, cache_size=64)


def render_page(templates_dir: Path | None, template: str, **values: Any) -> bytes:
    """The page as UTF-8 bytes; a deployment's ``templates_dir`` may override the template."""
    try:
        page = _environment(templates_dir).get_template(f"_shared/archive/{template}")
        return page.render(**values).encode("utf-8")
    except TemplateError as exc:
        raise RenderError(f"cannot render archive page {template}: {exc}") from exc


def stream_page(templates_dir: Path | None, template: str, **values: Any) -> Iterator[bytes]:
    """The page piece by piece, for a page as long as its ``rows`` (a generator) make it."""
    try:
        page = _environment(templates_dir).get_template(f"_shared/archive/{template}")
        for piece in page.generate(**values):
            yield piece.encode("utf-8")
    except TemplateError as exc:
        raise RenderError(f"cannot render archive page {template}: {exc}") from exc
