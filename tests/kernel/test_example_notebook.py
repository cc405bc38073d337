"""The example notebook, run top to bottom in a real kernel as Run All does (on a machine
without a GPU, as CI's): its first cell installs the simulated accelerator, `t1 + t2` is flagged with
its fix, the fix (what the flag's button runs) lets the cell run, and the last cell prints the
chain rule's numbers."""

from pathlib import Path

import nbformat
import pytest
import torch
from nbclient import NotebookClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tensor_basics.ipynb"
# The example's first cell installs the simulated accelerator only where there is no GPU.
DEVICE = "cuda:0" if torch.cuda.is_available() else "sim:0"


def text_of(cell) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.read(EXAMPLE, as_version=4)
    # After Run All, what a learner does next: read the flag, press its fix, run t1 + t2 again.
    notebook.cells += [
        nbformat.v4.new_code_cell("flag = tensor_inspector.current().flag\nprint(flag['text'])"),
        nbformat.v4.new_code_cell(
            "print(tensor_inspector.current().apply_fix(flag['name'], flag['device']).message)"
        ),
        nbformat.v4.new_code_cell("print((t1 + t2).device)"),
    ]
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,  # a cell; torch's first import on a loaded 2-core machine is slow
        startup_timeout=300,
        resources={"metadata": {"path": str(tmp_path_factory.mktemp("example"))}},
    )
    client.execute()
    return {cell.source: cell for cell in notebook.cells if cell.cell_type == "code"}


def test_the_first_cell_stands_in_for_a_gpu_and_t1_plus_t2_is_flagged(executed):
    (mix,) = [cell for source, cell in executed.items() if source == "t1 + t2"]
    error = text_of(mix)
    assert error.startswith("CrossDeviceError: Cell not run.")
    assert f"t2 is on {DEVICE}, t1 is on cpu" in error
    assert f'Fix: t1 = t1.to("{DEVICE}")' in error
    flag = text_of(next(c for s, c in executed.items() if s.startswith("flag =")))
    assert "t1 + t2" in flag and f't1 = t1.to("{DEVICE}")' in flag


def test_the_flags_fix_lets_t1_plus_t2_run(executed):
    fixed = text_of(next(c for s, c in executed.items() if "apply_fix" in s))
    assert "t1" in fixed and DEVICE in fixed
    assert text_of(executed["print((t1 + t2).device)"]).strip() == DEVICE


def test_the_last_cell_prints_the_chain_rule_as_numbers(executed):
    (last,) = [cell for source, cell in executed.items() if "trace=True" in source]
    assert text_of(last).splitlines() == [
        "z receives 1.0",
        "SumBackward0 receives 3.0",
        "y receives [3.0, 3.0, 3.0]",
        "t5 receives [6.0, 12.0, 18.0]",
    ]
