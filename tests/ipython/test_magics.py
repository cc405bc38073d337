"""%tensor_inspector's arguments: -h is help, extra words are a UsageError that changes
nothing, and every command says what it did."""

import pytest
from IPython.core.error import UsageError

from tests.conftest import run


@pytest.mark.parametrize("line", ["-h", "--help", "side -h", "%ti -h"])
def test_h_prints_the_help_and_changes_nothing(ip, inspector, capsys, line):
    panels = len(inspector.panels)
    magic = "%ti" if line.startswith("%ti") else "%tensor_inspector"
    run(ip, f"{magic} {line.removeprefix('%ti ')}")
    help_text = capsys.readouterr().out
    assert "%tensor_inspector [{show,side,inline,refresh,guard}]" in help_text
    assert "for guard: block (the default), strict, warn or off" in help_text
    assert len(inspector.panels) == panels
    assert inspector.settings.where == "inline"


@pytest.mark.parametrize("line", ["side extra", "inline now", "show 2", "refresh all"])
def test_a_word_after_a_command_without_a_value_is_a_usage_error(ip, inspector, line):
    panels = len(inspector.panels)
    with pytest.raises(UsageError, match="takes no value"):
        ip.run_line_magic("tensor_inspector", line)
    assert len(inspector.panels) == panels
    assert inspector.settings.where == "inline"


def test_guard_with_a_second_word_is_a_usage_error_too(ip, inspector):
    with pytest.raises(UsageError, match="unrecognized arguments: extra"):
        ip.run_line_magic("ti", "guard strict extra")
    assert inspector.guard.mode == "block"


def test_refresh_says_how_many_tensors_it_found(ip, inspector, capsys):
    run(ip, "a = torch.ones(2)\nb = torch.zeros(3)")
    capsys.readouterr()
    run(ip, "%tensor_inspector refresh")
    assert capsys.readouterr().out.strip() == "refreshed: 2 tensors"
