"""The README stays true: its two set-up commands, and a section for every command and saved query."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from councilkg import sparql
from councilkg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRACT_COMMANDS = ["load", "build", "queries", "query", "export", "validate", "inspect", "pages", "serve"]


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:sh|console|sparql)?\n(.*?)```", text, re.S)


def test_readme_starts_with_the_two_setup_commands():
    first, second = code_blocks(README)[:2]
    assert first.strip().startswith("python3 -m venv .venv") and "councilkg build" in first
    assert "pytest" in second
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second.strip() in ci, ".ci/run must call the README's test command"


@pytest.mark.parametrize("command", CONTRACT_COMMANDS)
def test_every_contract_command_exists_and_is_documented(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert f"councilkg {command}" in README


@pytest.mark.parametrize("name", sorted(sparql.saved_queries()))
def test_every_saved_query_is_in_the_readme(name):
    assert f"`{name}`" in README, f"README's saved-query table lacks {name}"
