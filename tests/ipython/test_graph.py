"""The autograd graph behind a tensor, and the chain rule as numbers (a traced backward)."""

import json
from itertools import pairwise

import pytest

from tensor_inspector import ActionError
from tests.conftest import invoke, run


@pytest.fixture
def chain(ip, inspector):
    """The learner's notebook: y = t5**2; z = 3 * y.sum()."""
    run(ip, "t5 = torch.tensor([1., 2, 3], requires_grad=True)\ny = t5**2\nz = 3 * y.sum()")
    return inspector


def by_label(graph) -> dict:
    return {node["label"]: node for node in graph["nodes"]}


def test_the_chain_is_drawn_with_the_users_names(ip, chain):
    graph = chain.graph("z")
    json.dumps(graph)  # plain data: no tensor held
    nodes = by_label(graph)
    assert [node["label"] for node in graph["nodes"]] == [
        "MulBackward0", "SumBackward0", "PowBackward0", "AccumulateGrad"]  # fmt: skip
    assert nodes["MulBackward0"]["name"] == "z" and graph["root"] == nodes["MulBackward0"]["id"]
    assert nodes["PowBackward0"]["name"] == "y" and nodes["PowBackward0"]["shape"] == [3]
    leaf = nodes["AccumulateGrad"]
    assert leaf["kind"] == "leaf" and leaf["name"] == "t5" and leaf["receives_grad"] is True
    assert leaf["shape"] == [3] and leaf["device"] == "cpu"
    ids = [node["id"] for node in graph["nodes"]]
    assert graph["edges"] == [{"source": a, "target": b} for a, b in pairwise(ids)]
    assert graph["truncated"] == 0 and graph["freed"] is False


def test_a_traced_backward_gives_the_chain_rule_as_numbers(ip, chain):
    outcome = chain.backward("z", trace=True)
    grads = [node["grad"] for node in outcome.trace["nodes"]]
    assert grads == [1.0, 3.0, [3.0, 3.0, 3.0], [6.0, 12.0, 18.0]]
    assert ip.user_ns["t5"].grad.tolist() == [6.0, 12.0, 18.0]
    assert outcome.trace["freed"] is True


def test_tracing_twice_with_the_graph_kept_gives_the_same_numbers(ip, chain):
    first = chain.backward("z", retain_graph=True, trace=True).trace
    second = chain.backward("z", trace=True).trace  # the first trace's hooks are gone
    assert [n["grad"] for n in first["nodes"]] == [n["grad"] for n in second["nodes"]]
    assert ip.user_ns["t5"].grad.tolist() == [12.0, 24.0, 36.0]


def test_a_non_scalar_output_is_traced_with_its_gradient(ip, chain):
    run(ip, "y2 = t5**2")
    outcome = chain.backward("y2", "[1, 1, 1]", trace=True)
    nodes = by_label(outcome.trace)
    assert nodes["PowBackward0"]["grad"] == [1.0, 1.0, 1.0]
    assert nodes["AccumulateGrad"]["grad"] == [2.0, 4.0, 6.0]


def test_an_mlps_parameters_are_named_by_module_path(ip, inspector):
    run(
        ip,
        "model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))\n"
        "x = torch.ones(5, 3)\nloss = model(x).sum()",
    )
    graph = inspector.graph("loss")
    leaves = {
        node["name"]: node["receives_grad"] for node in graph["nodes"] if node["kind"] == "leaf"
    }
    params = {"model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"}
    assert leaves == {**dict.fromkeys(params, True), "x": False}  # the input is shown, marked
    x = next(node for node in graph["nodes"] if node["name"] == "x")
    assert x["label"] == "input" and x["shape"] == [5, 3]
    outcome = inspector.backward("loss", trace=True)
    weight = next(n for n in outcome.trace["nodes"] if n["name"] == "model.2.weight")
    assert weight["grad"] == ip.user_ns["model"][2].weight.grad.tolist()


def test_a_freed_graph_says_so_and_how_to_keep_it(ip, chain):
    run(ip, "z.backward()")
    assert chain.graph("z")["freed"] is True
    with pytest.raises(ActionError, match="retain_graph"):
        chain.backward("z", trace=True)
    assert ip.user_ns["t5"].grad.tolist() == [6.0, 12.0, 18.0]  # nothing changed


def test_a_five_thousand_op_chain_is_capped_counted_and_expandable(ip, inspector):
    run(
        ip,
        "x = torch.ones(3, requires_grad=True)\nh = x\nfor _ in range(5000):\n    h = h * 1.0\nlong = h.sum()",
    )
    graph = inspector.graph("long")
    assert len(graph["nodes"]) == 200
    assert graph["truncated"] == 5002 - 200  # 5,000 muls, the sum and the leaf
    assert len(graph["cut"]) == 1
    opened = inspector.graph("long", expand=graph["cut"])
    assert len(opened["nodes"]) == 400 and opened["truncated"] == 5002 - 400
    assert len(inspector.graph("long", max_nodes=5000)["nodes"]) == 5000


def test_a_tensor_without_a_graph_is_refused_with_why(ip, inspector):
    run(ip, "c = torch.ones(3)")
    with pytest.raises(ActionError, match="does not require grad"):
        inspector.graph("c")
    with pytest.raises(ActionError, match="max_nodes"):
        inspector.graph("c", max_nodes=0)


def test_the_panel_asks_for_the_graph_and_the_trace_by_command(ip, chain):
    reply = invoke(chain.panel, "graph", {"name": "z"})
    assert reply["ok"] and reply["graph"]["nodes"][0]["name"] == "z"
    reply = invoke(chain.panel, "backward", {"name": "z", "trace": True})
    assert reply["ok"] and reply["graph"]["nodes"][-1]["grad"] == [6.0, 12.0, 18.0]
    assert invoke(chain.panel, "graph", {"name": "z", "expand": "no"})["ok"] is False


def test_a_traced_backward_with_inf_and_nan_gradients_is_strict_json(ip, inspector):
    # sqrt'(0) is inf: every one of the 100 gradients into w3 is, and w3 - 1 gets -inf too.
    run(ip, "w3 = torch.ones(100, requires_grad=True)\nloss3 = torch.sqrt(w3 - 1).sum()")
    reply = invoke(inspector.panel, "backward", {"name": "loss3", "trace": True})
    json.dumps(reply, allow_nan=False)
    leaf = by_label(reply["graph"])["AccumulateGrad"]
    assert leaf["grad"] == {"shape": [100], "min": "inf", "max": "inf", "mean": "inf"}


def test_a_summarised_gradient_reads_its_mean_in_float64(ip, inspector):
    # float32's largest values: their mean in float32 would overflow to inf.
    run(ip, "big = torch.ones(100, requires_grad=True)\nout = (big * 3e38).sum()")
    reply = invoke(inspector.panel, "backward", {"name": "out", "trace": True})
    json.dumps(reply, allow_nan=False)
    leaf = by_label(reply["graph"])["AccumulateGrad"]
    assert leaf["grad"]["mean"] == pytest.approx(3e38, rel=1e-6)


def test_graph_with_expand_that_is_no_list_is_refused_in_words(ip, chain):
    for expand in (None, "n1", 3):
        reply = invoke(chain.panel, "graph", {"name": "z", "expand": expand})
        assert reply == {
            "ok": False,
            "level": "error",
            "text": "expand must be a list of node ids.",
        }
