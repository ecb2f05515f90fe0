"""absl flags generated from a dataclass: one flag per field, the field's default as the
flag's default, so that every hyper-parameter is a flag without being written twice."""

from __future__ import annotations

import dataclasses
import typing

from absl import flags as absl_flags

# The flags defined here belong to the module that calls define_dataclass_flags (its
# --help lists them), as if it had called DEFINE_* itself.
absl_flags.disclaim_key_flags()


def define_dataclass_flags(cls: type, help_texts: dict[str, str] | None = None) -> list[str]:
    """Defines ``--<field>`` for each int, float, bool, str or tuple-of-int field of ``cls``,
    as key flags of the calling module (so its ``--help`` lists them). A field whose
    metadata says ``{"original": False}`` is not a setting of the original code, and its
    help does not name an original value.

    Returns the flag names, in field order.
    """
    help_texts = help_texts or {}
    hints = typing.get_type_hints(cls)
    names = []
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        default = field.default
        text = help_texts.get(field.name, f"{cls.__name__}.{field.name}")
        if field.metadata.get("original", True):
            text = f"{text} (original: {_show(default)})"
        if kind is bool:
            absl_flags.DEFINE_boolean(field.name, default, text)
        elif kind is int:
            absl_flags.DEFINE_integer(field.name, default, text)
        elif kind is float:
            absl_flags.DEFINE_float(field.name, default, text)
        elif kind is str:
            absl_flags.DEFINE_string(field.name, default, text)
        elif typing.get_origin(kind) is tuple:
            absl_flags.DEFINE_list(field.name, [str(v) for v in default], text)
        else:
            raise TypeError(f"no flag type for {cls.__name__}.{field.name}: {kind}")
        names.append(field.name)
    return names


def dataclass_values(cls: type, flag_values: absl_flags.FlagValues) -> dict:
    """{field: value} read back from the flags, tuples converted from comma lists."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        value = flag_values[field.name].value
        if typing.get_origin(hints[field.name]) is tuple:
            try:
                value = tuple(int(v) for v in value)
            except ValueError:
                raise ValueError(
                    f"--{field.name}={','.join(value)}: expected a comma-separated list of integers"
                ) from None
        values[field.name] = value
    return values


def explicitly_set(cls: type, flag_values: absl_flags.FlagValues) -> set[str]:
    """Fields of ``cls`` whose flag was given on the command line."""
    return {f.name for f in dataclasses.fields(cls) if flag_values[f.name].present}


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)
