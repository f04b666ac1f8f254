"""regkit.clipping against torch.nn.utils and the Keras clipnorm rule."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from regkit import clipping as C

pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("one_torch_thread")]


FEW = settings(max_examples=30, deadline=None)

NORM_TYPES = [1.0, 2.0, 3.0, math.inf]


def make_parameters(seed, dtype=torch.float32, scale=1.0, with_none=True):
    """Parameters of assorted shapes with random gradients; some without a gradient."""
    generator = torch.Generator().manual_seed(seed)
    shapes = [(7, 5), (5,), (3, 4, 2), (1,), (), (16, 3), (3,)]
    parameters = []
    for i, shape in enumerate(shapes):
        p = torch.nn.Parameter(torch.zeros(shape, dtype=dtype))
        if not (with_none and i == 3):  # one parameter with .grad None, which is skipped
            p.grad = scale * torch.randn(shape, generator=generator, dtype=dtype)
        parameters.append(p)
    return parameters


def copy_parameters(parameters):
    copies = []
    for p in parameters:
        q = torch.nn.Parameter(p.detach().clone())
        q.grad = None if p.grad is None else p.grad.clone()
        copies.append(q)
    return copies


def grads(parameters):
    return [p.grad for p in parameters if p.grad is not None]


# --------------------------------------------------------------------------- clip_by_norm


finite_vectors = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
    elements=st.floats(-1e3, 1e3, allow_nan=False),
)


@FEW
@given(g=finite_vectors, threshold=st.floats(1e-3, 1e3))
def test_clip_by_norm_is_the_lecture_rule(g, threshold):
    original = g.copy()
    clipped = C.clip_by_norm(g, threshold)
    norm = np.linalg.norm(g)
    np.testing.assert_array_equal(g, original)  # the input is not modified
    assert clipped.shape == g.shape and clipped is not g
    if norm <= threshold:
        np.testing.assert_array_equal(clipped, g)
    else:
        np.testing.assert_array_equal(clipped, threshold * g / norm)
        assert np.linalg.norm(clipped) == pytest.approx(threshold, rel=1e-12)


def test_clip_by_norm_has_no_epsilon():
    g = np.array([3.0, 4.0])
    np.testing.assert_array_equal(C.clip_by_norm(g, 5.0), g)  # ‖g‖ == η: untouched
    weight = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    weight.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_([weight], 5.0)
    assert weight.grad[0].item() < 3.0  # torch's 1e-6 shrinks it by a hair
    np.testing.assert_array_equal(C.clip_by_norm([0.0, 0.0], 1.0), [0.0, 0.0])  # no 0/0
    np.testing.assert_allclose(C.clip_by_norm([30, 40], 1.0), [0.6, 0.8])  # ints become floats


def test_clip_by_norm_keeps_float32():
    assert C.clip_by_norm(np.ones(3, dtype=np.float32), 0.5).dtype == np.float32


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_clip_by_norm_refuses_non_finite_gradients(bad):
    with pytest.raises(ValueError, match="g must"):
        C.clip_by_norm(np.array([1.0, bad]), 1.0)


# --------------------------------------------------------------------------- global norm


@pytest.mark.parametrize("norm_type", NORM_TYPES)
def test_global_grad_norm_is_the_norm_of_all_gradients_concatenated(norm_type):
    parameters = make_parameters(0, torch.float64)
    flat = torch.cat([g.reshape(-1) for g in grads(parameters)])
    expected = torch.linalg.vector_norm(flat, norm_type)
    norm = C.global_grad_norm(parameters, norm_type)
    assert norm.dim() == 0
    torch.testing.assert_close(norm, expected, rtol=1e-12, atol=0)
    torch_norm = torch.nn.utils.get_total_norm(grads(parameters), norm_type)
    torch.testing.assert_close(norm, torch_norm, rtol=1e-15, atol=0)


def test_global_grad_norm_accepts_a_tensor_a_generator_and_nothing():
    w = torch.nn.Parameter(torch.zeros(2))
    w.grad = torch.tensor([3.0, 4.0])
    assert C.global_grad_norm(w).item() == 5.0
    assert C.global_grad_norm(p for p in [w]).item() == 5.0
    assert C.global_grad_norm([]).item() == 0.0
    assert C.global_grad_norm([torch.nn.Parameter(torch.zeros(2))]).item() == 0.0  # no grad
    assert C.global_grad_norm(w, norm_type="inf").item() == 4.0


# --------------------------------------------------------------------------- clip_grad_norm_


@FEW
@given(
    seed=st.integers(0, 10**6),
    max_norm=st.floats(1e-3, 50.0),
    scale=st.sampled_from([1e-3, 0.1, 1.0, 10.0]),
    norm_type=st.sampled_from(NORM_TYPES),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_clip_grad_norm_equals_torch(seed, max_norm, scale, norm_type, dtype):
    ours = make_parameters(seed, dtype, scale)
    theirs = copy_parameters(ours)
    our_norm = C.clip_grad_norm_(ours, max_norm, norm_type)
    their_norm = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert our_norm.dtype == their_norm.dtype and our_norm.dim() == 0
    rtol = 4 * torch.finfo(dtype).eps  # the contract: round-off of the same dtype, not bit-equality
    torch.testing.assert_close(our_norm, their_norm, rtol=rtol, atol=0)
    for p, q in zip(ours, theirs):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=rtol, atol=0)


def test_clip_grad_norm_clips_to_max_norm_and_leaves_small_gradients():
    parameters = make_parameters(1, torch.float64, scale=10.0)
    before = C.clip_grad_norm_(parameters, 1.0)
    assert before.item() > 1.0
    assert C.global_grad_norm(parameters).item() == pytest.approx(1.0, rel=1e-5)
    small = make_parameters(2, torch.float64, scale=1e-3)
    expected = [g.clone() for g in grads(small)]
    C.clip_grad_norm_(small, 1.0)
    for g, e in zip(grads(small), expected):  # factor min(1, ...) = 1
        torch.testing.assert_close(g, e, rtol=0, atol=0)


def test_clip_grad_norm_accepts_one_tensor_and_a_generator():
    w = torch.nn.Parameter(torch.zeros(2))
    w.grad = torch.tensor([3.0, 4.0])
    assert C.clip_grad_norm_(w, 1.0).item() == 5.0
    model = torch.nn.Linear(3, 2)
    model(torch.ones(1, 3)).sum().backward()
    twin = copy_parameters(model.parameters())
    torch.testing.assert_close(
        C.clip_grad_norm_(model.parameters(), 0.5), torch.nn.utils.clip_grad_norm_(twin, 0.5), rtol=0, atol=0
    )
    assert C.clip_grad_norm_([], 1.0).item() == 0.0


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_clip_grad_norm_non_finite_gives_what_torch_gives(bad, norm_type):
    ours = make_parameters(3)
    ours[0].grad[1, 2] = bad
    theirs = copy_parameters(ours)
    our_norm = C.clip_grad_norm_(ours, 1.0, norm_type)
    their_norm = torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type)
    assert not torch.isfinite(our_norm)  # the returned norm shows what happened
    torch.testing.assert_close(our_norm, their_norm, rtol=0, atol=0, equal_nan=True)
    for p, q in zip(ours, theirs):
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=0, atol=0, equal_nan=True)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_clip_grad_norm_error_if_nonfinite(bad):
    ours = make_parameters(4)
    ours[2].grad[0, 0, 0] = bad
    theirs = copy_parameters(ours)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    before = [g.clone() for g in grads(ours)]
    with pytest.raises(RuntimeError, match="non-finite"):
        C.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    for g, b in zip(grads(ours), before):  # nothing was scaled
        torch.testing.assert_close(g, b, rtol=0, atol=0, equal_nan=True)
    finite = make_parameters(4)
    C.clip_grad_norm_(finite, 1.0, error_if_nonfinite=True)  # finite: no error


# --------------------------------------------------------------------------- clip_grad_value_


@FEW
@given(
    seed=st.integers(0, 10**6),
    clip_value=st.floats(1e-3, 5.0),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_clip_grad_value_equals_torch(seed, clip_value, dtype):
    ours = make_parameters(seed, dtype, scale=3.0)
    theirs = copy_parameters(ours)
    assert C.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours, theirs):
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=0, atol=0)
            assert p.grad.abs().max() <= torch.tensor(clip_value, dtype=dtype)  # c rounded to the dtype


def test_clip_grad_value_on_one_tensor():
    w = torch.nn.Parameter(torch.zeros(3))
    w.grad = torch.tensor([-5.0, 0.5, 2.0])
    C.clip_grad_value_(w, 1.0)
    assert w.grad.tolist() == [-1.0, 0.5, 1.0]


# --------------------------------------------------------------------------- per tensor


def keras_clipnorm(g, clip_norm):
    """keras.ops.clip_by_norm, which Keras optimizers apply per variable with `clipnorm`."""
    l2norm = np.sqrt(np.sum(np.square(g)))
    return g * clip_norm / max(l2norm, clip_norm)


@FEW
@given(seed=st.integers(0, 10**6), max_norm=st.floats(1e-2, 10.0), scale=st.sampled_from([0.01, 1.0, 10.0]))
def test_clip_grad_norm_per_tensor_is_keras_clipnorm(seed, max_norm, scale):
    parameters = make_parameters(seed, torch.float64, scale)
    before = [g.clone().numpy() for g in grads(parameters)]
    norms = C.clip_grad_norm_per_tensor_(parameters, max_norm)
    assert len(norms) == len(before)  # one per tensor with a gradient, None skipped
    for norm, g_before, g_after in zip(norms, before, grads(parameters)):
        assert norm.dim() == 0
        assert norm.item() == pytest.approx(np.linalg.norm(g_before), rel=1e-12)
        np.testing.assert_allclose(g_after.numpy(), keras_clipnorm(g_before, max_norm), rtol=1e-14, atol=0)
        assert np.linalg.norm(g_after.numpy()) <= max_norm * (1 + 1e-12)


def test_per_tensor_differs_from_global_clipping():
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    a.grad, b.grad = torch.tensor([3.0]), torch.tensor([0.4])
    norms = C.clip_grad_norm_per_tensor_([a, b], 1.0)
    assert [n.item() for n in norms] == pytest.approx([3.0, 0.4])
    assert a.grad.item() == 1.0 and b.grad.item() == pytest.approx(0.4)  # b is untouched
    a.grad, b.grad = torch.tensor([3.0]), torch.tensor([0.4])
    C.clip_grad_norm_([a, b], 1.0)
    assert b.grad.item() < 0.2  # global clipping shrinks every tensor by the same factor


def test_per_tensor_zero_gradient_and_none():
    w, frozen = torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2))
    w.grad = torch.zeros(3)
    assert [n.item() for n in C.clip_grad_norm_per_tensor_([frozen, w], 1.0)] == [0.0]
    assert w.grad.tolist() == [0.0, 0.0, 0.0] and frozen.grad is None
    assert C.clip_grad_norm_per_tensor_([], 1.0) == []


# --------------------------------------------------------------------------- the fast path
@FEW
@given(seed=st.integers(0, 10**6), max_norm=st.floats(1e-3, 50.0), scale=st.sampled_from([1e-3, 1.0, 10.0]),
       norm_type=st.sampled_from(NORM_TYPES), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_clip_grad_norm_foreach_gives_the_readable_versions_numbers(seed, max_norm, scale, norm_type, dtype):
    readable = make_parameters(seed, dtype, scale)
    fast = copy_parameters(readable)
    rtol = 4 * torch.finfo(dtype).eps  # round-off of the same dtype (the contract's "equal")
    torch.testing.assert_close(C.clip_grad_norm_foreach_(fast, max_norm, norm_type),
                               C.clip_grad_norm_(readable, max_norm, norm_type), rtol=rtol, atol=0)
    for p, q in zip(readable, fast):
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=rtol, atol=0)


# --------------------------------------------------------------------------- adaptive_clip_grad_
def timm_adaptive_clip_grad(parameters, clip_factor=0.01, eps=1e-3):
    """timm 1.0.31, timm/utils/agc.py (adaptive_clip_grad and unitwise_norm, norm_type 2),
    transcribed: timm needs a torchvision built for the same torch, and none is published for
    torch 2.13's CPU build yet, so the course cannot install timm next to its torch."""
    def unitwise_norm(x):
        return x.norm(2.0) if x.ndim <= 1 else x.norm(2.0, dim=tuple(range(1, x.ndim)), keepdim=True)
    for p in parameters:
        if p.grad is None:
            continue
        p_data, g_data = p.detach(), p.grad.detach()
        max_norm = unitwise_norm(p_data).clamp_(min=eps).mul_(clip_factor)
        grad_norm = unitwise_norm(g_data)
        clipped_grad = g_data * (max_norm / grad_norm.clamp(min=1e-6))
        p.grad.detach().copy_(torch.where(grad_norm < max_norm, g_data, clipped_grad))


def weighted_parameters(seed, grad_scale):
    generator = torch.Generator().manual_seed(seed)
    parameters = make_parameters(seed, scale=grad_scale)
    with torch.no_grad():
        for i, p in enumerate(parameters):
            if i != 5:  # one weight stays all zero: its threshold is eps
                p.copy_(torch.randn(p.shape, generator=generator))
    return parameters


@FEW
@given(seed=st.integers(0, 10**6), clip_factor=st.floats(1e-3, 1.0), eps=st.sampled_from([0.0, 1e-3, 0.1]),
       grad_scale=st.sampled_from([1e-4, 1e-2, 1.0]))
def test_adaptive_clip_grad_gives_timms_numbers(seed, clip_factor, eps, grad_scale):
    ours = weighted_parameters(seed, grad_scale)
    theirs = copy_parameters(ours)
    C.adaptive_clip_grad_(ours, clip_factor, eps)
    timm_adaptive_clip_grad(theirs, clip_factor, eps)
    for p, q in zip(ours, theirs):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-6, atol=0)


def test_adaptive_clip_grad_caps_each_unit_relative_to_its_weights():
    w = torch.nn.Parameter(torch.tensor([[3.0, 4.0], [0.0, 1.0], [0.0, 0.0]]))  # row norms 5, 1, 0
    w.grad = torch.tensor([[1.0, 0.0], [0.0, 0.001], [0.0, 1.0]])
    b = torch.nn.Parameter(torch.tensor([2.0]))
    b.grad = torch.tensor([0.5])
    share = C.adaptive_clip_grad_([w, b], clip_factor=0.01, eps=1e-3)
    assert share == 3 / 4  # rows 0 and 2 and the bias are too long; row 1 is not
    torch.testing.assert_close(w.grad, torch.tensor([[0.05, 0.0], [0.0, 0.001], [0.0, 1e-5]]))
    torch.testing.assert_close(b.grad, torch.tensor([0.02]))
    assert C.adaptive_clip_grad_([torch.nn.Parameter(torch.ones(2))]) == 0.0  # no gradient: no units


# --------------------------------------------------------------------------- sharded clipping
def _clip_shards(rank, world_size, gradient, max_norm):
    pieces = gradient.chunk(2 * world_size)[2 * rank: 2 * rank + 2]  # two tensors per process
    mine = [torch.nn.Parameter(torch.zeros_like(piece)) for piece in pieces]
    for p, piece in zip(mine, pieces):
        p.grad = piece.clone()
    norm = C.clip_grad_norm_sharded_(mine, max_norm)
    return norm, torch.cat([p.grad for p in mine])


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("scale", [0.01, 10.0])
def test_clip_grad_norm_sharded_equals_clipping_the_whole_gradient(world_size, scale):
    from regkit import distributed

    gradient = scale * torch.randn(24, generator=torch.Generator().manual_seed(world_size))
    results = distributed.launch(_clip_shards, world_size=world_size, args=(gradient, 1.0))
    whole = torch.nn.Parameter(torch.zeros(24))
    whole.grad = gradient.clone()
    expected_norm = C.clip_grad_norm_([whole], 1.0)
    for norm, _ in results:  # every process got the global norm
        torch.testing.assert_close(norm, expected_norm, rtol=1e-6, atol=0)
    torch.testing.assert_close(torch.cat([shard for _, shard in results]), whole.grad, rtol=1e-5, atol=1e-9)


def test_clip_grad_norm_sharded_without_a_process_group_is_clip_grad_norm():
    ours, theirs = make_parameters(3), make_parameters(3)
    torch.testing.assert_close(C.clip_grad_norm_sharded_(ours, 0.5), C.clip_grad_norm_(theirs, 0.5))
    for p, q in zip(ours, theirs):
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=0, atol=0)


def _fails(rank, world_size):
    if rank == 1:
        raise ValueError("shard 1 is broken")
    return rank


def test_launch_returns_results_in_rank_order_and_reports_a_failing_process():
    from regkit import distributed

    assert distributed.launch(lambda rank, world_size: rank * 10, world_size=3) == [0, 10, 20]
    with pytest.raises(RuntimeError, match="shard 1 is broken"):
        distributed.launch(_fails, world_size=2)
