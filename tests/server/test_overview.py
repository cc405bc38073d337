"""The kernels overview page and API, against a real jupyter-server with two kernels."""

import json
import time

import pytest

from tests.servers import JupyterServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = JupyterServer(
        "jupyter_server", tmp_path_factory.mktemp("root"), tmp_path_factory.mktemp("home")
    )
    running.start()
    yield running
    running.stop()


def run(client, code):
    reply = client.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", reply["content"]


@pytest.fixture(scope="module")
def two_kernels(server):
    inspected = server.post("/api/kernels", {"name": "python3-tensor-inspector"})
    plain = server.post("/api/kernels", {"name": "python3"})
    inspected_client = server.kernel_client(inspected["id"])
    plain_client = server.kernel_client(plain["id"])
    run(inspected_client, "import torch\nweights = torch.zeros(1000, 250)\nsmall = torch.ones(3)")
    run(plain_client, "x = 1")
    yield inspected, plain, inspected_client, plain_client
    inspected_client.stop_channels()
    plain_client.stop_channels()


def kernels(server):
    status, body = server.get("/tensor-inspector/api/kernels")
    assert status == 200
    return {kernel["id"]: kernel for kernel in json.loads(body)["kernels"]}


def test_the_api_lists_both_kernels_and_what_the_inspected_one_holds(server, two_kernels):
    inspected, plain, *_ = two_kernels
    listed = kernels(server)
    assert set(listed) >= {inspected["id"], plain["id"]}
    info = listed[inspected["id"]]["inspector"]
    assert info["loaded"] is True  # the kernelspec loaded it: no %load_ext anywhere
    assert info["tensors"] == 2
    assert info["largest"][0]["name"] == "weights"
    assert info["largest"][0]["bytes"] == 1000 * 250 * 4
    assert info["devices"]["available"] is False
    assert listed[plain["id"]]["inspector"]["loaded"] is False


def test_asking_leaves_no_trace_in_the_kernels_history(server, two_kernels):
    _, _, inspected_client, _ = two_kernels

    def count() -> int:
        reply = inspected_client.execute_interactive("pass", timeout=30, output_hook=print)
        return reply["content"]["execution_count"]

    before = count()
    for _ in range(3):
        kernels(server)
        server.get("/tensor-inspector/")
    assert count() == before + 1  # only the test's own cell ran in between


def test_the_page_answers_which_notebook_holds_memory(server, two_kernels):
    inspected, plain, *_ = two_kernels
    status, page = server.get("/tensor-inspector/")
    assert status == 200
    assert f'data-kernel="{inspected["id"]}"' in page and f'data-kernel="{plain["id"]}"' in page
    assert "2 tensors" in page and "<li>weights [1000, 250] cpu 976.6 KB</li>" in page
    assert "tensor-inspector not loaded" in page


def test_without_the_token_both_answer_403(server):
    assert server.get("/tensor-inspector/api/kernels", token=False)[0] == 403
    assert server.get("/tensor-inspector/", token=False)[0] == 403


def test_a_busy_kernel_shows_as_busy_and_does_not_block(server, two_kernels):
    _, plain, _, plain_client = two_kernels
    plain_client.execute("import time; time.sleep(6)")
    time.sleep(0.5)
    start = time.monotonic()
    listed = kernels(server)
    assert time.monotonic() - start < 4
    assert listed[plain["id"]]["state"] == "busy"
    plain_client.get_shell_msg(timeout=30)  # let the sleep finish


def test_ten_parallel_requests_see_idle_kernels_as_idle(server, two_kernels):
    from concurrent.futures import ThreadPoolExecutor

    inspected, plain, *_ = two_kernels
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the previous test's sleep must have ended
        states = {k["id"]: k["execution_state"] for k in json.loads(server.get("/api/kernels")[1])}
        if states[plain["id"]] == "idle" and states[inspected["id"]] == "idle":
            break
        time.sleep(0.2)
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: kernels(server), range(10)))
    for listed in answers:
        assert listed[inspected["id"]]["state"] != "busy", [a[inspected["id"]] for a in answers]
        assert listed[inspected["id"]]["inspector"]["loaded"] is True
        assert listed[plain["id"]]["state"] != "busy"


def test_a_kernel_holding_an_error_row_still_renders(server, two_kernels):
    _, _, inspected_client, _ = two_kernels
    run(
        inspected_client,
        "class Odd(torch.Tensor):\n    @property\n    def device(self):\n"
        "        raise RuntimeError('no device')\nodd = torch.ones(2).as_subclass(Odd)",
    )
    status, page = server.get("/tensor-inspector/")
    assert status == 200
    assert "3 tensors" in page


def test_a_failed_question_is_shown_not_hidden(server, two_kernels):
    inspected, _, inspected_client, _ = two_kernels
    run(
        inspected_client,
        "import tensor_inspector.overview as _o\n_saved = _o.kernel_overview\n"
        "def _broken():\n    raise RuntimeError('overview broke')\n_o.kernel_overview = _broken",
    )
    try:
        status, page = server.get("/tensor-inspector/")
        assert status == 200
        assert "could not ask the kernel: RuntimeError: overview broke" in page
        assert "error" in kernels(server)[inspected["id"]]["inspector"]
    finally:
        run(inspected_client, "_o.kernel_overview = _saved")


@pytest.mark.parametrize(
    "answer",
    [
        "[1, 2, 3]",
        "{'loaded': True, 'devices': [1], 'largest': 'weights', 'last_cell': 5}",
        "{'loaded': True, 'tensors': float('nan'), 'largest': [{'name': 'x', 'bytes': 'many'}]}",
        "{'loaded': True, 'tensors': 1, 'pad': 'x' * 400_000}",
    ],
    ids=["a_list", "odd_fields", "odd_values", "too_long"],
)
def test_an_answer_of_an_unexpected_shape_marks_that_kernel_only(server, two_kernels, answer):
    inspected, plain, inspected_client, _ = two_kernels
    run(
        inspected_client,
        "import tensor_inspector.overview as _o\n_saved = _o.kernel_overview\n"
        f"_o.kernel_overview = lambda: {answer}",
    )
    try:
        status, page = server.get("/tensor-inspector/")
        assert status == 200
        row = page.split(f'data-kernel="{inspected["id"]}"')[1].split("</tr>")[0]
        other = page.split(f'data-kernel="{plain["id"]}"')[1].split("</tr>")[0]
        assert "tensor-inspector not loaded" in other
        if answer.startswith("{'loaded': True, 'tensors': 1,"):
            assert "unreadable answer" in row and "too long" in row
        elif answer.startswith("["):
            assert "unreadable answer" in row
        status, body = server.get("/tensor-inspector/api/kernels")
        assert status == 200
        json.loads(body, parse_constant=lambda name: pytest.fail(f"{name} in the API"))
    finally:
        run(inspected_client, "_o.kernel_overview = _saved")
