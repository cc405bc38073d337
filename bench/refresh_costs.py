"""What a refresh costs after each cell, against what the peers cost on the same namespace."""

from __future__ import annotations

import json
import types

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bench import namespaces
from bench.peers import lovely_summary, variable_inspector_script
from bench.timing import measure
from tensor_inspector.tracking import find_tensors

SIZES = (10, 1_000, 10_000, 100_000)
RUNS = {10: 50, 1_000: 30, 10_000: 15, 100_000: 5}
PEER_RUNS = {10: 20, 1_000: 5, 10_000: 3, 100_000: 1}


class PayloadMeter:
    """Stands in for the comm: counts the JSON bytes each refresh sends to the front end."""

    def __init__(self, panel) -> None:
        self.bytes = 0
        panel.send = self.send

    def send(self, content, buffers=None) -> None:
        self.bytes += len(json.dumps(content, separators=(",", ":")))


def fresh_shell(count: int):
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    shell.user_ns.update(namespaces.build(count))
    with capture_output():
        shell.run_cell("%load_ext tensor_inspector")
    import tensor_inspector

    return shell, tensor_inspector.current()


def run() -> list[str]:
    rows = [
        "| tensors | refresh, none changed | refresh, one changed | payload, one changed | "
        "variable inspector | ratio | lovely-tensors summaries | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for count in SIZES:
        shell, inspector = fresh_shell(count)
        meter = PayloadMeter(inspector.panel)
        inspector.refresh()
        unchanged = measure(inspector.refresh, RUNS[count])
        target = shell.user_ns["t0"]

        def change_one(target=target, meter=meter):
            target.add_(1)
            meter.bytes = 0

        one_changed = measure(inspector.refresh, RUNS[count], setup=change_one)
        payload = meter.bytes

        # The script reaches the shell through get_ipython().kernel.shell, as in ipykernel.
        shell.kernel = types.SimpleNamespace(shell=shell)
        with capture_output():
            shell.run_cell(variable_inspector_script())
        dict_list = shell.user_ns["_jupyterlab_variableinspector_dict_list"]
        peer = measure(dict_list, PEER_RUNS[count])

        summary = lovely_summary()
        tensors = [
            tensor
            for tensor, _ in find_tensors(shell.user_ns, shell.user_ns_hidden).tensors.values()
        ]
        lovely = measure(lambda s=summary, ts=tensors: [s(t) for t in ts], PEER_RUNS[count])

        rows.append(
            f"| {count:,} | {unchanged.ms()} | {one_changed.ms()} | {payload:,} B | "
            f"{peer.ms()} | {peer.median / one_changed.median:,.0f}× | {lovely.ms()} | "
            f"{lovely.median / one_changed.median:,.0f}× |"
        )
        if count == 10_000:
            notes += _lasting_cost(shell, inspector)
        shell.user_ns.clear()
    InteractiveShell.clear_instance()
    return [*rows, "", *notes, "",
                   "Ratios compare each peer with our refresh when one tensor changed. The variable "
                   "inspector's script is read from the installed lckr-jupyterlab-variableinspector "
                   "extension and run in the same IPython shell; lovely-tensors summarises each "
                   "tensor the namespace reaches."]  # fmt: skip


def _lasting_cost(shell, inspector) -> list[str]:
    """Creating many tensors in a loop, keeping only the last, must not slow later refreshes."""
    before = measure(inspector.refresh, 15)
    with capture_output():
        shell.run_cell("import torch\nfor _ in range(1000):\n    big = torch.ones(1_000_000)")
    after = measure(inspector.refresh, 15)
    return [
        f"A cell creating 1,000 tensors of 1,000,000 elements in a loop, keeping the last, among "
        f"10,000 tensors: refresh {before.ms()} before, {after.ms()} after."
    ]
