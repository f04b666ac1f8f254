"""regkit.curvature.sharpness: the largest Hessian eigenvalue, against the full Hessian."""

import numpy as np
import pytest
import torch

from regkit.curvature import sharpness
from regkit.data import load_digits_split
from regkit.models import MLP
from regkit.training import cross_entropy_loss, mse_loss


def full_hessian_eigenvalues(model, loss_fn, batch):
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])

    def loss_of(vector):
        tensors, start = {}, 0
        for name, shape in zip(names, shapes):
            size = int(np.prod(shape))
            tensors[name] = vector[start:start + size].view(shape)
            start += size
        return loss_fn(lambda x: torch.func.functional_call(model, tensors, (x,)), batch)

    return torch.linalg.eigvalsh(torch.autograd.functional.hessian(loss_of, flat))


@pytest.fixture(scope="module")
def digits():
    X, _, y, _ = load_digits_split()
    return X[:200], y[:200]


def small_mlp(seed):
    torch.manual_seed(seed)
    return MLP(hidden=(6,))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sharpness_is_the_largest_eigenvalue_of_the_full_hessian(digits, seed):
    model = small_mlp(seed)
    eigenvalues = full_hessian_eigenvalues(model, cross_entropy_loss, digits)
    assert np.isclose(sharpness(model, cross_entropy_loss, digits, iters=300),
                      eigenvalues[-1].item(), rtol=1e-3)


def test_few_iterations_give_a_lower_bound_and_a_list_measures_each_model(digits):
    models = [small_mlp(s) for s in range(3)]
    exact = [full_hessian_eigenvalues(m, cross_entropy_loss, digits)[-1].item() for m in models]
    rough = sharpness(models, cross_entropy_loss, digits, iters=3)
    assert rough.shape == (3,) and np.all(rough <= np.array(exact) * (1 + 1e-5))
    one_by_one = [sharpness(m, cross_entropy_loss, digits, iters=3) for m in models]
    np.testing.assert_allclose(rough, one_by_one, rtol=1e-4)


def test_a_quadratic_has_its_curvature_as_sharpness():
    # L(w) = mean over the batch of (w·x − y)², so ∇²L = 2 XᵀX / n
    X = torch.randn(40, 3, generator=torch.Generator().manual_seed(0))
    model = torch.nn.Linear(3, 1, bias=False)
    batch = (X, torch.zeros(40, 1))
    expected = torch.linalg.eigvalsh(2 * X.T @ X / 40)[-1].item()
    assert np.isclose(sharpness(model, mse_loss, batch, iters=200), expected, rtol=1e-4)


@pytest.mark.parametrize("kwargs, error", [
    (dict(models=[]), TypeError), (dict(models="mlp"), TypeError),
    (dict(iters=0), ValueError), (dict(iters=2.5), TypeError), (dict(seed=-1), ValueError)])
def test_sharpness_rejects_bad_arguments(digits, kwargs, error):
    arguments = dict(models=small_mlp(0), loss_fn=cross_entropy_loss, batch=digits)
    arguments.update(kwargs)
    with pytest.raises(error):
        sharpness(**arguments)
