"""Project-level promises: the README's commands, CI, and the shared flags."""

from __future__ import annotations

import functools
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)


def test_readme_top_shows_main_and_test_commands():
    commands = _readme_commands()
    assert len(commands) >= 2
    main, tests = commands[0], commands[1]
    assert "pip install" in main and "python -m seqgan_tf.main" in main
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _readme_commands()[1]
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_shared_flags_are_defined_once():
    import flags

    for name in ("workdir", "seed", "strategy", "progress_interval"):
        assert name in flags.FLAGS
    definitions = []
    for path in REPO.rglob("*.py"):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        for name in ("workdir", "seed", "strategy"):
            if re.search(rf"DEFINE_\w+\(\s*\"{name}\"", text):
                definitions.append((name, path.relative_to(REPO)))
    assert sorted(definitions) == sorted(
        (name, pathlib.Path("flags/common.py")) for name in ("workdir", "seed", "strategy")
    )


def test_make_strategy_rejects_unknown_names():
    import pytest

    from flags.common import make_strategy

    assert make_strategy("default") is not None
    with pytest.raises(ValueError, match="--strategy='bogus'"):
        make_strategy("bogus")


def test_run_logs_drop_the_checkpoint_writers_timing_lines(tmp_path):
    import logging

    from absl import logging as absl_logging

    from flags.common import setup_logging

    setup_logging(str(tmp_path))
    absl_logging.info("Sharding callback duration: %s microseconds", 57)
    absl_logging.info("[mle] epoch 1/20")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", "").startswith(str(tmp_path)):
            handler.close()
            root.removeHandler(handler)
    log = (tmp_path / "run.log").read_text()
    assert "[mle] epoch 1/20" in log and "Sharding" not in log


def test_relative_links_of_the_documents_exist():
    """Every relative link and image of README.md, docs/*.md and docs/history/*.md
    resolves, and a link's #anchor into a Markdown file names one of its headings
    (READINGS.md's links are docs/RESULTS.md's, relative to docs/)."""
    documents = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    documents += sorted((REPO / "docs" / "history").glob("*.md"))
    missing = []
    for document in documents:
        for target in re.findall(r"\]\(([^)\s]+)\)", prose_of(document)):
            if re.match(r"[a-z]+://|#|mailto:", target):
                continue
            file_part, _, anchor = target.partition("#")
            path = (document.parent / file_part).resolve()
            if not path.exists():
                missing.append(f"{document.relative_to(REPO)}: {target}")
            elif anchor and path.suffix == ".md" and anchor not in heading_anchors(path):
                missing.append(f"{document.relative_to(REPO)}: {target} (no such heading)")
    assert missing == []


def prose_of(path: pathlib.Path) -> str:
    """A Markdown file without its fenced code blocks."""
    return re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)


@functools.cache
def heading_anchors(path: pathlib.Path) -> frozenset[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation but
    '-' and '_' dropped, each space a '-', repeats numbered -1, -2, ..."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", prose_of(path), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchor, repeat = slug, 0
        while anchor in anchors:
            repeat += 1
            anchor = f"{slug}-{repeat}"
        anchors.add(anchor)
    return frozenset(anchors)


def test_heading_anchors_follow_githubs_rule(tmp_path):
    document = tmp_path / "doc.md"
    document.write_text(
        "# Text: `--mode=text --preset=coco`\n```\n# not a heading\n```\n"
        "## Quick start (synthetic facades, no network)\n## Notes\n## Notes\n"
    )
    assert heading_anchors(document) == {
        "text---modetext---presetcoco",
        "quick-start-synthetic-facades-no-network",
        "notes",
        "notes-1",
    }
