"""The help's notation for values: Click's and earlier Typer's ``FILE``, ``PATH``, ``TEXT``, ``INTEGER`` (flags show
none), instead of Typer 0.29's ``{file}``, ``<path>``, ``<bool>`` placeholders, which read like template syntax.

Typer offers no setting for this, so two of its display methods are replaced once, here, when the CLI is imported;
``tests/cli`` pins the help text, so a Typer upgrade that moves them fails a test rather than the help silently.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperOption


def _value_name(param: Any, ctx: Any) -> str | None:
    """What the help writes after an option or beside an argument: the type in capitals; nothing for a flag."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return None
    desc = param.type_descriptor
    if desc.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + "]"
    if desc.is_path:
        return "PATH"
    if desc.is_datetime:
        return "DATETIME"
    label = param.bare_type()
    label = label[5:-1] if label.startswith("list[") else label
    return _NAMES.get(label, label.upper())


_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "bool": "BOOLEAN", "Path": "PATH"}


def _argument_name(self: TyperArgument) -> str:
    """An argument in the usage line: ``FILE`` when required, ``[FILE]`` when not, ``…`` when repeatable."""
    name = (self.metavar or self.name or "").upper()
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


def use_click_notation() -> None:
    TyperOption.display_type_rich = _value_name  # type: ignore[method-assign,assignment]
    TyperArgument.display_type_rich = _value_name  # type: ignore[method-assign,assignment]
    TyperArgument._usage_display_name = _argument_name  # type: ignore[method-assign]
    TyperArgument._rich_display_name = lambda self: (self.metavar or self.name or "").upper()  # type: ignore


use_click_notation()
