"""Every setting as its environment variable, default, current value (secrets masked) and
description: what `byline settings` prints, and the README's settings table. Imports only the
settings modules, so `byline settings` stays fast."""

import re
import textwrap
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from rag.settings import Settings

README_START, README_END = "<!-- SETTINGS -->", "<!-- /SETTINGS -->"
EMPTY = '""'
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass(frozen=True)
class Row:
    variable: str
    default: str
    current: str | None  # None: not read from the environment
    is_default: bool
    description: str


def env_value(value: Any) -> str:
    """A value as it is written in the environment."""
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def masked(value: str) -> str:
    """A secret (`repr=False` in the settings) as `set (2 keys)`: never the keys themselves."""
    count = len([item for item in value.split(",") if item.strip()])
    return f"set ({count} key{'' if count == 1 else 's'})"


def rows(settings: Settings | None = None) -> list[Row]:
    """One row per setting, in declaration order; with `settings`, their current values too."""
    prefix = Settings.model_config["env_prefix"]
    table = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name) if settings is not None else field.default
        current = env_value(value) if field.repr or value == field.default else masked(str(value))
        table.append(
            Row(
                prefix + name.upper(),
                env_value(field.default),
                current if settings else None,
                value == field.default,
                field.description or "",
            )
        )
    return table


def invalid(error: ValidationError) -> str:
    """What is wrong with the environment, each setting by its variable (a secret's value is not repeated)."""
    problems = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        field = Settings.model_fields.get(name)
        shown = f" (got {problem['input']!r})" if field is not None and field.repr else ""
        problems.append(f"{Settings.model_config['env_prefix']}{name.upper()}: {problem['msg']}{shown}")
    return "; ".join(problems)


def text(settings: Settings) -> str:
    """What `byline settings` prints: each variable with its current value and default, then what it does."""
    blocks = []
    for row in rows(settings):
        same = "the default" if row.is_default else f"default: {row.default or EMPTY}"
        description = textwrap.fill(
            _LINK.sub(r"\1", row.description),
            100,
            initial_indent="    ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        blocks.append(f"{row.variable} = {row.current or EMPTY}  ({same})\n{description}")
    return "\n\n".join(blocks)


def markdown() -> str:
    """The README's settings table."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for row in rows():
        default = f"`{row.default}`" if row.default else "empty"
        lines.append(f"| `{row.variable}` | {default} | {row.description.replace('|', '&#124;')} |")
    return "\n".join(lines)
