"""picture(): a slice of a tensor's values, strided to what is shown, read in one transfer."""

import json
import math

import pytest
import torch

from tensor_inspector.picture import PictureError, image_layout, picture, picture_of
from tensor_inspector.testing.simulated_device import reset_transfers, transfers


def read_on_device(tensor: torch.Tensor, sim_device: str, **options) -> tuple[dict, list[int]]:
    """The picture of ``tensor`` moved to the simulated device, and the copies it cost."""
    on_device = tensor.to(sim_device)
    reset_transfers()
    drawn = picture(on_device, "t", **options)
    return drawn, transfers()


def test_a_matrix_is_shown_whole_row_by_row():
    drawn = picture(torch.arange(12.0).reshape(3, 4))
    assert drawn["values"] == torch.arange(12.0).reshape(3, 4).tolist()
    assert (drawn["shape"], drawn["dims"], drawn["at"]) == ([3, 4], [0, 1], {})
    assert (drawn["window"], drawn["step"], drawn["strided"]) == ([0, 3, 0, 4], [1, 1], False)
    assert (drawn["min"], drawn["max"]) == (0.0, 11.0)
    assert drawn["image"] is False


def test_the_last_two_dims_are_shown_and_the_others_indexed_by_at():
    cube = torch.arange(24).reshape(2, 3, 4)
    assert picture(cube)["values"] == cube[0].tolist()
    assert picture(cube, at={0: 1})["values"] == cube[1].tolist()
    # JSON keys are text: the panel sends {"0": 1}.
    assert picture(cube, at={"0": -1})["values"] == cube[1].tolist()
    assert picture(cube, at={0: 1})["at"] == {0: 1}


def test_any_two_dims_in_either_order():
    cube = torch.arange(24).reshape(2, 3, 4)
    assert picture(cube, dims=[2, 0], at={1: 2})["values"] == cube[:, 2, :].T.tolist()
    assert picture(cube, dims=[0, -1], at={1: 1})["values"] == cube[:, 1, :].tolist()


def test_a_vector_is_one_row_and_a_scalar_one_cell():
    drawn = picture(torch.arange(5))
    assert (drawn["values"], drawn["dims"], drawn["window"]) == (
        [[0, 1, 2, 3, 4]],
        [0],
        [0, 1, 0, 5],
    )
    assert picture(torch.tensor(2.5))["values"] == [[2.5]]


def test_a_window_is_read_at_full_resolution():
    matrix = torch.arange(100 * 100).reshape(100, 100)
    drawn = picture(matrix, window=[10, 20, 30, 45])
    assert drawn["values"] == matrix[10:20, 30:45].tolist()
    assert (drawn["window"], drawn["step"]) == ([10, 20, 30, 45], [1, 1])


def test_larger_than_max_side_is_strided_evenly_and_says_so():
    matrix = torch.arange(200 * 50).reshape(200, 50)
    drawn = picture(matrix, max_side=64)
    assert drawn["step"] == [4, 1] and drawn["strided"] is True
    assert drawn["values"] == matrix[::4, :].tolist()
    assert len(drawn["values"]) == 50


def test_non_finite_values_are_strings_counted_apart_and_left_out_of_the_range():
    values = torch.tensor([[1.0, math.nan], [math.inf, -math.inf], [-2.0, 3.0]])
    drawn = picture(values)
    assert drawn["values"] == [[1.0, "nan"], ["inf", "-inf"], [-2.0, 3.0]]
    assert (drawn["nan"], drawn["posinf"], drawn["neginf"]) == (1, 1, 1)
    assert (drawn["min"], drawn["max"]) == (-2.0, 3.0)
    json.dumps(drawn, allow_nan=False)  # strict JSON: what the browser can parse


def test_nothing_finite_has_no_range():
    drawn = picture(torch.full((2, 2), math.nan))
    assert (drawn["min"], drawn["max"], drawn["nan"]) == (None, None, 4)


@pytest.mark.parametrize(
    ("tensor", "values", "note"),
    [
        (torch.tensor([[True, False]]), [[1, 0]], "bool"),
        (torch.tensor([[7, -3]], dtype=torch.int16), [[7, -3]], None),
        (torch.tensor([[3 + 4j, 0j]]), [[5.0, 0.0]], "magnitude"),
        (torch.tensor([[1.0, 2.0]]).to(torch.float8_e4m3fn), [[1.0, 2.0]], "float8_e4m3fn"),
        (torch.tensor([[1.0, 2.0]], dtype=torch.bfloat16), [[1.0, 2.0]], None),
    ],
)
def test_every_dtype_is_shown_as_numbers_with_a_note_where_it_is_not_its_own(tensor, values, note):
    drawn = picture(tensor)
    assert drawn["values"] == values
    assert (note is None and drawn["note"] is None) or note in drawn["note"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_quantized_values_are_dequantized():
    quantized = torch.quantize_per_tensor(torch.tensor([[0.5, -1.0]]), 0.5, 0, torch.qint8)
    drawn = picture(quantized)
    assert drawn["values"] == [[0.5, -1.0]] and "dequantized" in drawn["note"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_cpu_sparse_tensor_is_densified_and_others_are_refused():
    sparse = torch.eye(3).to_sparse()
    assert picture(sparse)["values"] == torch.eye(3).tolist()
    with pytest.raises(PictureError, match="to_dense"):
        picture(torch.eye(3).to_sparse_csr(), "adj")


def test_meta_freed_and_empty_tensors_are_refused_in_plain_words():
    with pytest.raises(PictureError, match="meta device: it has a shape but no values"):
        picture(torch.ones(3, 3, device="meta"), "m")
    freed = torch.ones(3, 3)
    freed.untyped_storage().resize_(0)
    with pytest.raises(
        PictureError, match="No picture of freed: its storage holds 0 bytes for 9 elements"
    ):
        picture(freed, "freed")
    with pytest.raises(PictureError, match="no elements"):
        picture(torch.ones(0, 3), "e")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"dims": [0, 0]}, "two different"),
        ({"dims": [0, 3]}, "not a dimension"),
        ({"dims": [0]}, "takes 2"),
        ({"at": {5: 0}}, "not a dimension"),
        ({"at": {0: 2}}, "has size 2"),
        ({"at": {0: "1"}}, "no index"),
        ({"at": [1]}, "dimension: index"),
        ({"window": [0, 4, 0, 2]}, "not inside"),
        ({"window": [2, 1, 0, 2]}, "not inside"),
        ({"window": [0, 1, 0]}, "four whole numbers"),
        ({"max_side": 0}, "max_side"),
        ({"max_side": 10**6}, "max_side"),
        ({"max_side": 2.5}, "max_side"),
    ],
)
def test_bad_requests_are_refused_with_what_to_send(options, words):
    with pytest.raises(PictureError, match=words):
        picture(torch.ones(2, 3, 4), "t", **options)


def test_a_module_and_a_missing_grad_are_refused_with_what_to_do():
    with pytest.raises(PictureError, match=r"model is a module: .* model.weight"):
        picture_of(torch.nn.Linear(2, 2), "model")
    with pytest.raises(PictureError, match=r"w.grad is None: backward\(\) fills it"):
        picture_of(torch.ones(2, requires_grad=True), "w", of="grad")
    with pytest.raises(PictureError, match='"values" or "grad"'):
        picture_of(torch.ones(2), "w", of="weights")


def test_a_tensor_whose_values_cannot_be_read_is_refused_not_crashed():
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        fake = torch.ones(4, 4)
    with pytest.raises(PictureError, match="fake's values could not be read"):
        picture_of(fake, "fake")


def test_the_grad_is_pictured_with_of_grad():
    w = torch.ones(2, 3, requires_grad=True)
    (w * torch.arange(6.0).reshape(2, 3)).sum().backward()
    drawn = picture_of(w, "w", of="grad")
    assert drawn["values"] == torch.arange(6.0).reshape(2, 3).tolist()
    assert (drawn["name"], drawn["of"]) == ("w", "grad")


# images -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dtype", "layout"),
    [
        ([3, 32, 32], torch.float32, {"channels": 0, "dims": [1, 2]}),
        ([8, 4, 16, 16], torch.uint8, {"channels": 1, "dims": [2, 3]}),
        ([32, 32, 3], torch.float16, {"channels": 2, "dims": [0, 1]}),
        ([2, 32, 32], torch.float32, None),
        ([3, 32, 32], torch.int64, None),
        ([32, 3], torch.float32, None),
    ],
)
def test_an_image_is_offered_by_layout_and_dtype(shape, dtype, layout):
    assert image_layout(shape, dtype) == layout
    drawn = picture(torch.zeros(shape, dtype=dtype))
    assert drawn["image_offer"] == layout and drawn["image"] is False


def test_a_batch_shows_the_image_at_picks_as_height_width_channels():
    batch = torch.rand(4, 3, 8, 6)
    drawn = picture(batch, at={0: 2}, image=True)
    assert drawn["image"] is True and drawn["channels"] == 1 and drawn["dims"] == [2, 3]
    assert drawn["at"] == {0: 2}
    assert drawn["values"] == batch[2].permute(1, 2, 0).tolist()
    assert drawn["mapping"]["kind"] == "clip"


def test_channels_last_uint8_is_an_image_of_0_to_255():
    pixels = torch.randint(0, 256, (5, 7, 4), dtype=torch.uint8)
    drawn = picture(pixels, image=True)
    assert drawn["values"] == pixels.tolist() and drawn["channels"] == 2
    assert drawn["mapping"]["kind"] == "uint8"


def test_floats_far_outside_0_1_are_mapped_min_max():
    normalised = torch.tensor([[[-2.0, 0.0]], [[1.0, 2.5]], [[0.5, 0.5]]])
    drawn = picture(normalised, image=True)
    assert drawn["mapping"]["kind"] == "minmax"
    assert (drawn["mapping"]["low"], drawn["mapping"]["high"]) == (-2.0, 2.5)
    assert "min–max" in drawn["mapping"]["text"]


def test_an_image_is_refused_where_there_is_none():
    with pytest.raises(PictureError, match="no image"):
        picture(torch.ones(5, 5), "w", image=True)


# one transfer of only what is shown ---------------------------------------------------------


def test_a_large_matrix_on_the_device_copies_64_by_64_values_once(sim_device):
    drawn, copies = read_on_device(torch.randn(4096, 4096), sim_device)
    assert copies == [64 * 64 * 4]
    assert len(drawn["values"]) == 64 and len(drawn["values"][0]) == 64


def test_a_window_on_the_device_copies_only_the_window(sim_device):
    drawn, copies = read_on_device(torch.randn(300, 300), sim_device, window=[0, 10, 5, 25])
    assert copies == [10 * 20 * 4] and drawn["step"] == [1, 1]


@pytest.mark.parametrize(
    ("tensor", "options", "nbytes"),
    [
        (torch.randn(6, 5, 7, dtype=torch.float64), {"dims": [2, 0], "at": {1: 3}}, 7 * 6 * 8),
        (torch.arange(40), {}, 40 * 8),
        (torch.tensor(1.0), {}, 4),
        (torch.ones(9, 9, dtype=torch.bool), {}, 81),
        (torch.randn(9, 9, dtype=torch.complex64), {}, 81 * 4),  # magnitudes, taken on device
        (torch.randn(9, 9).to(torch.float8_e5m2), {}, 81),  # widened on the host
        (torch.tensor([[math.nan, math.inf, 1.0]]), {}, 12),
        (torch.rand(4, 3, 16, 16), {"image": True, "at": {0: 3}}, 3 * 16 * 16 * 4),
        (torch.randint(0, 255, (200, 200, 3), dtype=torch.uint8), {"image": True}, 50 * 50 * 3),
    ],
)
def test_every_path_copies_once_and_only_what_is_shown(sim_device, tensor, options, nbytes):
    drawn, copies = read_on_device(tensor, sim_device, **options)
    assert copies == [nbytes]
    assert json.dumps(drawn, allow_nan=False)


def test_refusals_read_nothing(sim_device):
    on_device = torch.ones(4, 4).to(sim_device)
    reset_transfers()
    with pytest.raises(PictureError):
        picture(on_device, "t", window=[0, 9, 0, 1])
    assert transfers() == []
