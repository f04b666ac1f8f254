"""Other libraries' schedules and one optimizer, transcribed once, with where each comes from
(chapters 3, 5 and 7).

The chapters compare regkit's schedules with the code practitioners run. Where that code
is a library the course installs (PyTorch, Keras, Hugging Face ``transformers``), the
chapters call the library itself. What is left lives here, line for line as in its source,
so that every chapter and every test shows the same transcription:

=================================  ==============================================================
function                           source
=================================  ==============================================================
:func:`hf_cosine_with_warmup`      transformers 5.23.0, ``src/transformers/optimization.py``,
                                   ``_get_cosine_schedule_with_warmup_lr_lambda``
:func:`hf_inverse_sqrt`            transformers 5.23.0, ``src/transformers/optimization.py``,
                                   ``get_inverse_sqrt_schedule`` + its ``_lr_lambda``
:func:`nanogpt_get_lr`             karpathy/nanoGPT, ``train.py``, ``get_lr`` (master)
:func:`optax_warmup_cosine_decay`  optax 0.2, ``optax/schedules/_schedule.py``,
                                   ``warmup_cosine_decay_schedule`` (``exponent=1``)
:func:`keras_sgd`                  keras 3.15.1, ``keras/src/optimizers/sgd.py``, ``update_step``,
                                   after ``base_optimizer.py``'s ``_apply_weight_decay``
=================================  ==============================================================

The Hugging Face two are tested against ``transformers`` itself (pinned in
``requirements.txt``); nanoGPT is a script, not a package, and optax needs JAX, which the
course does not install, so those two are tested against regkit's own schedules at every
step where the chapters say they agree. ``keras_sgd`` is written out so that chapter 5 can
show Keras's momentum next to PyTorch's without importing Keras; it is tested against Keras
itself (the appendix runs it too). Each returns what its library returns: Hugging Face's
a factor for ``LambdaLR`` (the optimizer's lr times it), the others a learning rate.
"""

import math

__all__ = ["hf_cosine_with_warmup", "hf_inverse_sqrt", "nanogpt_get_lr", "optax_warmup_cosine_decay",
           "keras_sgd"]


def hf_cosine_with_warmup(current_step, *, num_warmup_steps, num_training_steps, num_cycles=0.5,
                          min_lr_rate=0.0):
    """Hugging Face's ``get_cosine_schedule_with_warmup`` factor (``min_lr_rate``: the ``with_min_lr`` variant).

    >>> [round(hf_cosine_with_warmup(t, num_warmup_steps=2, num_training_steps=6), 4) for t in (0, 1, 2, 4, 6, 8)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    """
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def hf_inverse_sqrt(current_step, *, num_warmup_steps, timescale=None):
    """Hugging Face's ``get_inverse_sqrt_schedule`` factor; ``timescale`` defaults to ``num_warmup_steps or 10_000``.

    >>> [round(hf_inverse_sqrt(t, num_warmup_steps=4), 4) for t in (0, 2, 4, 16)]
    [0.0, 0.5, 1.0, 0.5]
    """
    if timescale is None:  # get_inverse_sqrt_schedule
        timescale = num_warmup_steps or 10_000
    if current_step < num_warmup_steps:  # _get_inverse_sqrt_schedule_lr_lambda
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def nanogpt_get_lr(it, learning_rate, warmup_iters, lr_decay_iters, min_lr):
    """nanoGPT's ``get_lr(it)``, its settings passed in (they are globals of ``train.py``).

    Early versions warmed up as ``learning_rate * it / warmup_iters``; the current one as
    ``(it + 1) / (warmup_iters + 1)``, so the first step never uses 0.

    >>> [round(nanogpt_get_lr(t, 1.0, 2, 6, 0.1), 4) for t in (0, 1, 2, 4, 6, 8)]
    [0.3333, 0.6667, 1.0, 0.55, 0.1, 0.1]
    """
    # 1) linear warmup for warmup_iters steps
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    # 2) if it > lr_decay_iters, return min learning rate
    if it > lr_decay_iters:
        return min_lr
    # 3) in between, use cosine decay down to min learning rate
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    assert 0 <= decay_ratio <= 1
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))  # coeff ranges 0..1
    return min_lr + coeff * (learning_rate - min_lr)


def optax_warmup_cosine_decay(step, init_value, peak_value, warmup_steps, decay_steps, end_value):
    """optax's ``warmup_cosine_decay_schedule(...)(step)`` with ``exponent=1``.

    optax joins ``linear_schedule(init_value, peak_value, warmup_steps)`` and
    ``cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha=end_value /
    peak_value)`` at ``warmup_steps``; written out for one step (the ``min`` is
    ``cosine_decay_schedule``'s ``count = min(count, decay_steps)``: it holds the floor).

    >>> [round(optax_warmup_cosine_decay(t, 0.0, 1.0, 2, 6, 0.1), 4) for t in (0, 1, 2, 4, 6, 8)]
    [0.0, 0.5, 1.0, 0.55, 0.1, 0.1]
    """
    if step < warmup_steps:
        return init_value + (peak_value - init_value) * step / warmup_steps
    count = min(step - warmup_steps, decay_steps - warmup_steps)
    cosine_decay = 0.5 * (1 + math.cos(math.pi * count / (decay_steps - warmup_steps)))
    alpha = 0.0 if peak_value == 0 else end_value / peak_value
    return peak_value * ((1 - alpha) * cosine_decay + alpha)


def keras_sgd(w, gradient, learning_rates, momentum=0.0, weight_decay=None):
    """Keras 3's ``SGD`` (no Nesterov), one step per entry of ``learning_rates``; returns w.

    Per step, with α_t the step's learning rate and g = ``gradient(w)`` at the weights
    before the step::

        w ← w − w·λ·α_t       (base optimizer, before the update: decoupled, × α_t)
        v ← μ·v − α_t·g       (the velocity stores learning-rate-scaled gradients)
        w ← w + v

    PyTorch's buffer stores raw gradients and is multiplied by the current α_t instead, so
    the two agree for a constant learning rate and part under a schedule (chapter 5).

    >>> import torch
    >>> keras_sgd(torch.tensor([1.0]), lambda w: 2 * w, [0.1, 0.1], momentum=0.5)
    tensor([0.5400])
    """
    v = w * 0
    for lr in learning_rates:
        g = gradient(w)
        if weight_decay is not None:  # base_optimizer._apply_weight_decay
            w = w - w * weight_decay * lr
        if momentum != 0:
            v = v * momentum - g * lr
            w = w + v
        else:
            w = w - g * lr
    return w
