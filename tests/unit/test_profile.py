"""python -m tensor_inspector enable|disable edits the profile's kernel config, idempotently."""

import os
import subprocess
import sys

from tensor_inspector.profile import LINE, disabled_text, enabled_text

USER_CONFIG = "c = get_config()  # noqa\nc.IPKernelApp.matplotlib = 'inline'\n"


def test_enable_adds_one_line_and_keeps_the_rest():
    once = enabled_text(USER_CONFIG)
    assert once.startswith(USER_CONFIG)
    assert once.count(LINE) == 1
    assert enabled_text(once) == once


def test_disable_removes_only_that_line():
    assert disabled_text(enabled_text(USER_CONFIG)) == USER_CONFIG
    assert disabled_text(USER_CONFIG) == USER_CONFIG


def test_enable_on_an_empty_profile_makes_a_valid_config():
    text = enabled_text("")
    namespace = {"get_config": lambda: __import__("traitlets.config").config.Config()}
    exec(compile(text, "ipython_kernel_config.py", "exec"), namespace)
    assert namespace["c"].InteractiveShellApp.extensions.to_dict()["extend"] == ["tensor_inspector"]


def cli(command, ipython_dir, *options):
    env = {**os.environ, "IPYTHONDIR": str(ipython_dir)}
    return subprocess.run(
        [sys.executable, "-m", "tensor_inspector", command, *options],
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_command_line_enables_and_disables_a_real_profile(tmp_path):
    config = tmp_path / "profile_default" / "ipython_kernel_config.py"
    config.parent.mkdir(parents=True)
    config.write_text(USER_CONFIG)
    for _ in range(2):
        result = cli("enable", tmp_path)
        assert result.returncode == 0, result.stderr
    assert config.read_text().count("tensor_inspector") == 1
    for _ in range(2):
        assert cli("disable", tmp_path).returncode == 0
    assert config.read_text() == USER_CONFIG
    bad = cli("sometimes", tmp_path)
    assert bad.returncode != 0 and "invalid choice" in bad.stderr


def test_enable_side_sets_the_place_once_and_inline_replaces_it():
    side = enabled_text(USER_CONFIG, where="side")
    assert side.count("c.TensorInspector.where = 'side'") == 1
    assert enabled_text(side, where="side") == side
    inline = enabled_text(side, where="inline")
    assert "'side'" not in inline and inline.count("c.TensorInspector.where = 'inline'") == 1
    assert enabled_text(inline) == inline  # a plain enable keeps the place chosen before
    assert disabled_text(inline) == USER_CONFIG


def test_the_profile_written_by_enable_side_is_what_a_kernel_reads(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    config = tmp_path / "profile_default" / "ipython_kernel_config.py"
    result = cli("enable", tmp_path, "--side")
    assert result.returncode == 0, result.stderr
    assert "right sidebar" in result.stdout
    loaded = PyFileConfigLoader(config.name, str(config.parent)).load_config()
    assert loaded.TensorInspector.where == "side"
    assert loaded.InteractiveShellApp.extensions.to_dict()["extend"] == ["tensor_inspector"]
    wrong = cli("disable", tmp_path, "--side")
    assert wrong.returncode != 0 and "go with enable" in wrong.stderr
