"""What a driver prints: grouped ``--help`` that exits 0, plain log lines, a quiet TF start.

* ``--help`` (and ``-h``, ``--helpshort``) print the driver's flags in groups, by concern
  and mode, each with its help text, default and allowed values, and exit 0 (absl's own
  ``--help`` exits 1 and lists flags in one alphabetical block). ``--helpfull`` stays absl's.
* Log lines on the console carry no logger prefix (``I1206 20:47:01.047429 1401... x.py:380]``);
  warnings and errors say so in one word. The workdir's log file keeps timestamps.
* TensorFlow's C++ start-up writes straight to file descriptor 2, before any logging is set
  up, notices below ``TF_CPP_MIN_LOG_LEVEL`` and, on a machine with no NVIDIA driver, lines
  about CUDA it will not use (``failed call to cuInit ... UNKNOWN ERROR (303)``);
  :func:`import_tensorflow` drops those and passes every other line through.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import logging
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence

from absl import app
from absl import flags as absl_flags
from absl import logging as absl_logging

FLAGS = absl_flags.FLAGS
HELP_ARGS = ("--help", "-h", "--helpshort", "-?")

# (group title, flag names); a flag of the driver in no group is listed under "Other".
Groups = Sequence[tuple[str, Sequence[str]]]

# TensorFlow's start-up lines about GPUs on a machine that has none (no driver): noise.
_NO_GPU_NOISE = re.compile(
    r"cudart_stub\.cc.*Could not find cuda drivers"
    r"|cuda_platform\.cc.*failed call to cuInit"
    r"|cuda_executor\.cc|cuda_dnn\.cc|cuda_fft\.cc|cuda_blas\.cc"
    r"|computation placer already registered"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
)
# absl's C++ lines written before its logging is initialised, e.g. "I0000 00:00:17.9 1 x.cc:1]":
# severity letter first. TensorFlow does not apply TF_CPP_MIN_LOG_LEVEL to them.
_CPP_LINE = re.compile(r"^([IWEF])\d{4} ")
_CPP_SEVERITY = {"I": 0, "W": 1, "E": 2, "F": 3}
_PRE_INIT_NOTICE = "All log messages before absl::InitializeLog() is called"


def _start_up_noise(min_level: int, no_gpu: bool) -> Callable[[str], bool]:
    """Whether a start-up line is noise: a C++ line below ``TF_CPP_MIN_LOG_LEVEL``, absl's
    notice about them, and (``no_gpu``) the CUDA probe's lines."""

    def noise(line: str) -> bool:
        match = _CPP_LINE.match(line)
        if match and _CPP_SEVERITY[match.group(1)] < min_level:
            return True
        if _PRE_INIT_NOTICE in line and min_level > 0:
            return True
        return no_gpu and bool(_NO_GPU_NOISE.search(line))

    return noise


def has_nvidia_driver() -> bool:
    """Whether this machine could run CUDA at all (a device node or the driver library)."""
    return os.path.exists("/dev/nvidiactl") or ctypes.util.find_library("cuda") is not None


@contextlib.contextmanager
def _filtered_stderr(drop: Callable[[str], bool]) -> Iterator[None]:
    """File descriptor 2 goes to a temporary file inside the block; afterwards every line
    for which ``drop`` is false is written to the real stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines(keepends=True):
                if not drop(line):
                    sys.stderr.write(line)
            sys.stderr.flush()


def import_tensorflow():
    """``import tensorflow`` and its device set-up, with its start-up lines filtered: those
    below ``TF_CPP_MIN_LOG_LEVEL`` (default here 2: warnings and errors only) and, on a
    machine with no NVIDIA driver, the CUDA probe's. Returns the module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        return tf
    try:
        min_level = int(os.environ["TF_CPP_MIN_LOG_LEVEL"])
    except ValueError:
        min_level = 0
    with _filtered_stderr(_start_up_noise(min_level, no_gpu=not has_nvidia_driver())):
        import tensorflow as tf

        tf.config.list_physical_devices()  # the cuInit probe runs here, inside the filter
    return tf


class _PlainFormatter(logging.Formatter):
    """``message`` for INFO and below, ``warning: message`` / ``error: message`` above."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {message}"
        return message


def plain_console_logging() -> None:
    """absl's console handler writes plain lines (see :class:`_PlainFormatter`)."""
    handler = absl_logging.get_absl_handler()
    handler.setFormatter(_PlainFormatter())


def _flag_lines(flag: absl_flags.Flag) -> list[str]:
    """``--name`` and its help text wrapped under it, ending with its default and, for an
    enumeration, the allowed values (absl's ``<a|b>:`` prefix is dropped as repeated)."""
    text = re.sub(r"^<[^>]*>: ", "", flag.help or "(no help text)")
    allowed = getattr(flag.parser, "enum_values", None)
    default = flag.default
    if isinstance(default, list):
        default = ",".join(str(v) for v in default)
    shown = "none" if default is None else str(default)
    text += f" [default: {shown}" + (f"; one of: {', '.join(allowed)}]" if allowed else "]")
    return [f"  --{flag.name}"] + textwrap.wrap(
        text, width=92, initial_indent="      ", subsequent_indent="      "
    )


def grouped_help(doc: str, groups: Groups, module_name: str | None = None) -> str:
    """The driver's docstring, then its flags group by group; the key flags of
    ``module_name`` (default: the main program) in no group come last, under "Other"."""
    module = module_name or sys.argv[0]
    flags_by_name = {f.name: f for f in FLAGS.get_key_flags_for_module(module)}
    lines = [doc.strip(), ""]
    listed: set[str] = set()
    for title, names in groups:
        present = [n for n in names if n in FLAGS]
        if not present:
            continue
        lines.append(f"{title}:")
        for name in present:
            lines += _flag_lines(FLAGS[name])
            listed.add(name)
        lines.append("")
    rest = sorted(set(flags_by_name) - listed)
    if rest:
        lines.append("Other:")
        for name in rest:
            lines += _flag_lines(FLAGS[name])
        lines.append("")
    lines.append("--helpfull lists every flag, absl's and TensorFlow's included.")
    return "\n".join(lines)


def run(
    main: Callable[[list[str]], None], doc: str, groups: Groups, module_name: str | None = None
) -> None:
    """``absl.app.run(main)``, except that a help argument prints :func:`grouped_help` to
    standard output and exits 0."""
    if any(arg in HELP_ARGS for arg in sys.argv[1:]):
        FLAGS.mark_as_parsed()
        print(grouped_help(doc, groups, module_name))
        sys.exit(0)
    app.run(main)
