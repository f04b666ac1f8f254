"""regkit: the companion package of the course on training stability and regularization.

One module per idea of the lecture:

=====================  ==============================================
``regkit.clipping``     chapter 1 - gradient clipping
``regkit.schedules``    chapters 2-3 - learning-rate schedules, cosine
``regkit.regularization`` chapter 4 - the L2 penalty, what to decay
``regkit.optim``        chapter 5 - SGD / Adam with L2 or weight decay
``regkit.data``         small real (digits) and generated data
``regkit.models``       a small MLP, a minimal RNN, a tiny Transformer
``regkit.training``     one training loop that records loss, LR, grad norm
``regkit.plotting``     the course's figure style (Hangul-safe)
``regkit.curvature``    chapter 2 - the sharpness λ_max and the bound α < 2/λ_max
``regkit.distributed``  chapter 1 - N processes as a torch.distributed group
``regkit.third_party``  other libraries' schedules, transcribed once (Hugging Face, nanoGPT, optax)
``regkit.listing``      ``show_source``: regkit's own code, shown in a chapter
``regkit.exercises``    ``check(label, answer)``: the chapters' exercises check themselves
=====================  ==============================================

The contract modules need only NumPy and PyTorch; matplotlib, scikit-learn and
tqdm are imported by the helpers that use them, when first called.
"""

import os
import random

import numpy as np
import torch

__version__ = "0.1.0"


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and every CUDA device).

    Example
    -------
    >>> seed_everything(0); a = torch.rand(1)
    >>> seed_everything(0); b = torch.rand(1)
    >>> bool(a == b)
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)


def get_device(prefer: str = "cuda") -> torch.device:
    """The device to train on: CUDA when it is available (and preferred), else the CPU.

    The whole course runs on a laptop CPU; a GPU only makes it faster.
    """
    if prefer not in ("cuda", "cpu"):
        raise ValueError(f"prefer must be 'cuda' or 'cpu', got {prefer!r}")
    if prefer == "cuda" and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


from . import clipping, schedules, regularization, optim  # noqa: E402  (contract modules)
from . import data, models, training, plotting, listing, distributed, curvature, third_party  # noqa: E402  (course helpers)
from .listing import show_source  # noqa: E402

__all__ = [
    "seed_everything", "get_device", "show_source",
    "clipping", "schedules", "regularization", "optim",
    "data", "models", "training", "plotting", "listing", "distributed", "curvature", "third_party",
]
