"""What the kernels overview page learns from one kernel: device memory, tensor count and the
largest tensors. Evaluated in the kernel as a silent user expression (no history, no cell
events), so it reads the last refresh rather than scanning again."""

from __future__ import annotations

LARGEST = 5


def kernel_overview() -> dict:
    from IPython import get_ipython

    from tensor_inspector import devices
    from tensor_inspector.inspector import inspector_of

    inspector = inspector_of(get_ipython())
    if inspector is None:
        return {"loaded": False}
    rows = inspector.tracker.rows  # previews are not needed here
    largest = sorted(
        rows, key=lambda row: row["storage_nbytes"] or row["nbytes"] or 0, reverse=True
    )
    return {
        "loaded": True,
        "devices": devices.summary(),
        "tensors": len(rows),
        "last_cell": inspector.memory.get("last_cell", {}),
        "held": inspector.memory.get("held", {}),  # the tracked tensors' bytes per device
        "largest": [
            {
                "name": row["name"],
                "shape": row["shape"],
                "dtype": row["dtype"],
                "device": row["device"],
                "bytes": row["storage_nbytes"] or row["nbytes"] or 0,
            }
            for row in largest[:LARGEST]
        ],
    }
