"""The parity tables of docs/FIDELITY.md, generated from the committed parity runs.

A block in the document

    <!-- parity: parity-adversarial -->
    ...
    <!-- /parity -->

holds the table of ``docs/runs/parity-adversarial/results.json`` as the harness wrote it
(``parity_report.markdown`` for the adversarial phase, ``parity_report.mle_markdown`` for
the MLE phase over several starts), and a block ``<!-- parity-summary: A B -->`` ...
``<!-- /parity-summary -->`` the verdicts of runs A and B, a row each
(``parity_report.summary_row``); everything outside the blocks is prose. Rewrite the
blocks after committing a run with

    python -m bench.parity_doc

and ``--check`` exits 1 when a block is stale (tests/test_docs_fidelity.py runs it).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

from bench import parity_report

COMMAND = "python -m bench.parity_doc"
BLOCK = re.compile(
    r"(?P<open><!-- parity: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(?P<close><!-- /parity -->)",
    re.DOTALL,
)


# a block of the verdicts of several runs, one row each: <!-- parity-summary: A B C -->
SUMMARY = re.compile(
    r"(?P<open><!-- parity-summary: (?P<names>[\w.\- ]+?) -->\n)(?P<body>.*?)"
    r"(?P<close><!-- /parity-summary -->)",
    re.DOTALL,
)


def table(results: dict) -> str:
    """The harness's own table of a parity run's results: the MLE phase's when the run
    compared starts epoch by epoch, the adversarial phase's otherwise."""
    if "comparison_by_epoch" in results:
        return parity_report.mle_markdown(results)
    return parity_report.markdown(results)


def block_names(text: str) -> list[str]:
    return [match["name"] for match in BLOCK.finditer(text)]


def render(text: str, runs_dir: str | pathlib.Path) -> str:
    """``text`` with every parity block rewritten from its run's ``results.json``."""
    runs_dir = pathlib.Path(runs_dir)

    def load(name: str) -> dict:
        path = runs_dir / name / "results.json"
        if not path.exists():
            raise ValueError(f"parity block '{name}': {path} does not exist")
        return json.loads(path.read_text())

    def rewrite(match: re.Match) -> str:
        return f"{match['open']}{table(load(match['name']))}{match['close']}"

    def rewrite_summary(match: re.Match) -> str:
        body = parity_report.summary_markdown({n: load(n) for n in match["names"].split()})
        return f"{match['open']}{body}{match['close']}"

    return SUMMARY.sub(rewrite_summary, BLOCK.sub(rewrite, text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="docs/runs", help="folder of committed runs")
    parser.add_argument("--doc", default="docs/FIDELITY.md", help="the Markdown to rewrite")
    parser.add_argument("--check", action="store_true", help="exit 1 if a block is stale")
    args = parser.parse_args(argv)
    doc = pathlib.Path(args.doc)
    if not doc.exists():
        parser.error(f"--doc={args.doc}: no such file")
    current = doc.read_text()
    try:
        text = render(current, args.runs)
    except ValueError as error:
        parser.error(str(error))
    if args.check:
        if text != current:
            print(f"{doc}: parity tables are stale: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    doc.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
