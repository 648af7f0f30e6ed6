"""Option callbacks that depend on where a value came from: the command line, a STRIDEBEAT_*
variable or config.toml."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

Callback = Callable[[click.Context, click.Parameter, Any], Any]


def not_typed(ctx: click.Context, param: click.Parameter) -> bool:
    """Whether the value came from a STRIDEBEAT_* variable or config.toml, not the command line
    (so a bad value must be caught here, to be blamed on where it came from)."""
    source = ctx.get_parameter_source(param.name or "")
    return source in (ParameterSource.ENVIRONMENT, ParameterSource.DEFAULT_MAP)


def gives_way(convert: Callback, *rivals: str, needs: tuple[str, ...] = ()) -> Callback:
    """``convert``, for --spm, --ramp, --duration: a value from config.toml gives way to a
    session chosen on the command line (a ``rival`` given there), and is left out when none
    of ``needs`` is set. click processes the options not typed after the typed ones, so
    those are known here."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        converted = convert(ctx, param, value)  # a bad value is reported even if unused
        if ctx.get_parameter_source(param.name or "") is ParameterSource.DEFAULT_MAP:
            typed = (ctx.get_parameter_source(r) is ParameterSource.COMMANDLINE for r in rivals)
            if any(typed) or (needs and all(ctx.params.get(n) is None for n in needs)):
                return None
        return converted

    return callback


def device_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not_typed(ctx, param):
        # Matched here so that a device that is not there is blamed on the variable or file.
        from stridebeat.errors import DeviceError, InputError
        from stridebeat.sinks.devices import find_device

        try:
            find_device(value)
        except InputError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
        except DeviceError:
            pass  # no device at all: playing says so
    return value
