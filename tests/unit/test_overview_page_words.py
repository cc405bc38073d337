"""What the overview page says of a kernel's devices: the allocator's figure where it reports
one, what the tensors hold where it does not, and "no tensors" only when there are none."""

from tensor_inspector.server.handlers import page_row


def kernel(devices: dict, held: dict) -> dict:
    info = {"loaded": True, "tensors": 3, "devices": devices, "held": held, "largest": []}
    return {"id": "k", "path": "a.ipynb", "state": "idle", "inspector": info}


def sim(allocated=None) -> dict:
    return {"available": True, "devices": [{"device": "sim:0", "memory_allocated": allocated}]}


def test_a_device_whose_allocator_does_not_report_shows_what_its_tensors_hold():
    row = page_row(kernel(sim(), {"cpu": 60, "sim:0": 1536}))
    assert row["memory"] == "sim:0: 1.5 KB in tensors"
    assert "not in use" not in row["memory"]


def test_the_allocators_figure_wins_where_there_is_one():
    assert (
        page_row(kernel(sim(allocated=4096), {"sim:0": 12}))["memory"] == "sim:0: 4.0 KB allocated"
    )


def test_a_device_without_tensors_says_so():
    assert page_row(kernel(sim(), {"cpu": 60}))["memory"] == "sim:0: no tensors"
    assert page_row(kernel({"available": False}, {"cpu": 60}))["memory"] == "cpu only"
