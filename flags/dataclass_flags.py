"""absl flags generated from a dataclass: one flag per field, the field's default as the
flag's default, so that every hyper-parameter is a flag without being written twice."""

from __future__ import annotations

import dataclasses
import typing

from absl import flags as absl_flags

# The flags defined here belong to the module that calls define_dataclass_flags (its
# --help lists them), as if it had called DEFINE_* itself.
absl_flags.disclaim_key_flags()


def _flag_fields(cls: type, skip: tuple[str, ...]) -> list[dataclasses.Field]:
    """The fields of ``cls`` that are flags: not in ``skip``, not marked ``{"flag": False}``
    in their metadata, not dataclasses themselves (a nested config defines its own)."""
    hints = typing.get_type_hints(cls)
    return [
        field
        for field in dataclasses.fields(cls)
        if field.name not in skip
        and field.metadata.get("flag", True)
        and not dataclasses.is_dataclass(hints[field.name])
    ]


def define_dataclass_flags(
    cls: type,
    help_texts: dict[str, str] | None = None,
    skip: tuple[str, ...] = (),
    reference: str | None = "original",
) -> list[str]:
    """Defines ``--<field>`` for each int, float, bool, str, optional int or str, tuple-of-int
    field of ``cls`` (see :func:`_flag_fields` for the ones left out), as key flags of the
    calling module (so its ``--help`` lists them). With ``reference`` (e.g. "original"),
    each help names the default as that reference's value, except for fields whose
    metadata says ``{"original": False}``.

    Returns the flag names, in field order.
    """
    help_texts = help_texts or {}
    hints = typing.get_type_hints(cls)
    names = []
    for field in _flag_fields(cls, skip):
        kind = hints[field.name]
        default = field.default
        text = help_texts.get(field.name, f"{cls.__name__}.{field.name}")
        if reference and field.metadata.get("original", True):
            text = f"{text} ({reference}: {_show(default)})"
        if kind == str | None:
            absl_flags.DEFINE_string(field.name, default, text)
        elif kind is bool:
            absl_flags.DEFINE_boolean(field.name, default, text)
        elif kind is int or kind == int | None:
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


def dataclass_values(
    cls: type, flag_values: absl_flags.FlagValues, skip: tuple[str, ...] = ()
) -> dict:
    """{field: value} read back from the flags, tuples converted from comma lists."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in _flag_fields(cls, skip):
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


def explicitly_set(
    cls: type, flag_values: absl_flags.FlagValues, skip: tuple[str, ...] = ()
) -> set[str]:
    """Fields of ``cls`` whose flag was given on the command line."""
    return {f.name for f in _flag_fields(cls, skip) if flag_values[f.name].present}


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)
