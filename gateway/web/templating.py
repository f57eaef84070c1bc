"""Jinja2 for the portal: autoescaped templates, the format filters and the static asset URLs."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gateway.web import formats

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
STATIC_PATH = "/portal-static"


@functools.cache
def htmx_url() -> str:
    (folder,) = STATIC_DIR.glob("htmx-[0-9]*")  # exactly one version is vendored
    return f"{STATIC_PATH}/{folder.name}/htmx.min.js"


def environment(time_zone: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt variable fails the test, not the front desk silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["us_date"] = formats.us_date
    env.filters["money"] = formats.money
    env.filters["groups"] = formats.groups
    env.filters["local_time"] = functools.partial(formats.local_time, zone=time_zone)
    env.globals["htmx_url"] = htmx_url()
    env.globals["static"] = lambda name: f"{STATIC_PATH}/{name}"
    return env


def render(env: Environment, template: str, context: dict[str, Any]) -> str:
    return env.get_template(template).render(context)
