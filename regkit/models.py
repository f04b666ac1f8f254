"""Three small models, written to be read: an MLP, a minimal RNN, a tiny Transformer.

=====================  =====================================================
``MLP``                 digits classifier (L2, weight decay, LR schedules)
``TinyRNN``             Elman RNN for the adding problem (gradient clipping)
``TinyTransformer``     Post-LN / Pre-LN Transformer (warmup), optional causal mask
=====================  =====================================================

Each is small enough that a forward and backward pass takes milliseconds on a CPU.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["one_per_seed", "MLP", "TinyRNN", "TinyTransformer", "TransformerBlock", "SelfAttention",
           "count_parameters"]

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid}


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model`` (shared tensors counted once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def one_per_seed(make, seeds):
    """One model per seed, ``torch.manual_seed(seed)`` before each ``make()``: a grid's models.

    The same seeds give the same initial weights, so runs that differ in one setting (a
    schedule, warmup, clipping) start from the same models seed for seed
    (:func:`regkit.training.train_grid` trains them side by side).

    >>> models = one_per_seed(MLP, range(8))                       # eight initializations
    >>> post_ln = one_per_seed(functools.partial(TinyTransformer, vocab_size=10), range(8))
    """
    if not callable(make):
        raise TypeError(f"make must be a callable that builds a model, got {make!r}")
    models = []
    for seed in seeds:
        torch.manual_seed(seed)
        models.append(make())
    return models


class MLP(nn.Module):
    """A multilayer perceptron: ``Linear -> act -> ... -> Linear`` (logits out, no softmax).

    The defaults fit the 8x8 digits: 64 inputs, one hidden layer of 64 units, 10 classes.

    With ``layer_norm=True`` every hidden layer is ``Linear (no bias) -> LayerNorm (no
    scale or shift) -> act``: the output then does not change when a hidden matrix is
    multiplied by a constant, so weight decay cannot make the function simpler; it sets the
    matrix's scale and with it the effective learning rate (chapter 5, like a ResNet's
    batch normalisation). The last layer stays a plain ``Linear``.

    Example
    -------
    >>> model = MLP(64, hidden=(128, 128), out_features=10)
    >>> model(torch.zeros(5, 64)).shape
    torch.Size([5, 10])
    >>> normalised = MLP(64, hidden=(16, 16), layer_norm=True)  # Linear, LayerNorm, ReLU, ...
    """

    def __init__(self, in_features=64, hidden=(64,), out_features=10, activation="relu",
                 layer_norm=False):
        super().__init__()
        _check_positive_int("in_features", in_features)
        _check_positive_int("out_features", out_features)
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        for h in hidden:
            _check_positive_int("hidden", h)
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        if not isinstance(layer_norm, bool):
            raise TypeError(f"layer_norm must be True or False, got {layer_norm!r}")
        sizes = (in_features, *hidden, out_features)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden_layer = i < len(sizes) - 2  # the last layer outputs logits: no activation
            layers.append(nn.Linear(n_in, n_out, bias=not (layer_norm and hidden_layer)))
            if hidden_layer:
                if layer_norm:
                    layers.append(nn.LayerNorm(n_out, elementwise_affine=False))
                layers.append(_ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class TinyRNN(nn.Module):
    """A minimal Elman RNN with a linear readout of the last hidden state.

    .. math::  h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b), \\qquad \\hat y = W_{hy} h_T + c

    The loop over time is written out. Backpropagation through it multiplies the
    Jacobians :math:`\\mathrm{diag}(1 - h_t^2)\\, W_{hh}` of all T steps: when ``W_hh``'s
    largest singular value is well above 1, the product can explode - the reason for
    gradient clipping. ``recurrent_scale`` sets ``W_hh`` to that multiple of a random
    orthogonal matrix (all singular values equal to it): 1.0 is a stable start, values
    around 2 and above make exploding gradients likely.

    Input ``(batch, T, input_size)``; output ``(batch, output_size)``.

    Measured recipe (adding problem, ``seq_len=20``, batch 64, SGD lr 0.1, momentum 0.9,
    800 steps, ``hidden_size=32``, seed 0): without clipping the loss turns NaN near step
    500; with ``clip_norm=1.0`` the MSE falls to ~0.05. About 0.7 s per run on one core.

    Example
    -------
    >>> X, y = regkit.data.adding_problem(64, seq_len=50)
    >>> TinyRNN(input_size=2, hidden_size=32)(X).shape
    torch.Size([64, 1])
    """

    def __init__(self, input_size=2, hidden_size=32, output_size=1, recurrent_scale=1.0):
        super().__init__()
        _check_positive_int("input_size", input_size)
        _check_positive_int("hidden_size", hidden_size)
        _check_positive_int("output_size", output_size)
        if not (isinstance(recurrent_scale, (int, float)) and math.isfinite(recurrent_scale)
                and recurrent_scale > 0):
            raise ValueError(f"recurrent_scale must be a finite number > 0, got {recurrent_scale!r}")
        self.hidden_size = hidden_size
        self.W_xh = nn.Linear(input_size, hidden_size)               # carries the bias b
        self.W_hh = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_hy = nn.Linear(hidden_size, output_size)
        with torch.no_grad():
            nn.init.orthogonal_(self.W_hh.weight)
            self.W_hh.weight.mul_(recurrent_scale)

    def forward(self, x):
        if x.dim() != 3:
            raise ValueError(f"x must have shape (batch, T, input_size), got {tuple(x.shape)}")
        # W_xh x_t + b for every t in one matmul; unbind (not inputs[:, t]) so that the
        # backward pass stacks the T slices once instead of building T full-size gradients
        inputs = self.W_xh(x).unbind(dim=1)
        h = x.new_zeros(x.shape[0], self.hidden_size)
        for t in range(x.shape[1]):
            h = torch.tanh(self.W_hh(h) + inputs[t])
        return self.W_hy(h)


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention, :math:`\\mathrm{softmax}(QK^T/\\sqrt{d_k})V`.

    Written out as that formula rather than ``F.scaled_dot_product_attention`` (the same
    values to float rounding): batched by ``train_grid``, torch's kernel adds passes that look
    for fully masked rows, and a grid of tiny GPTs trains about a tenth faster without them.
    """

    def __init__(self, d_model, n_heads, causal=False):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        self.n_heads, self.causal = n_heads, causal
        self.qkv = nn.Linear(d_model, 3 * d_model)  # Q, K and V in one matmul
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x):
        B, T, D = x.shape
        d_k = D // self.n_heads
        # (B, T, 3D) -> three tensors (B, heads, T, d_k)
        q, k, v = self.qkv(x).view(B, T, 3, self.n_heads, d_k).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
        if self.causal:  # position t sees the positions <= t only
            future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        y = scores.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).reshape(B, T, D))


class TransformerBlock(nn.Module):
    """One Transformer layer, with LayerNorm after (Post-LN) or before (Pre-LN) each sublayer.

    Post-LN (Vaswani et al. 2017), ``norm_first=False``::

        x = LN1(x + Attn(x));   x = LN2(x + FFN(x))

    Pre-LN (Xiong et al. 2020), ``norm_first=True``::

        x = x + Attn(LN1(x));   x = x + FFN(LN2(x))

    In Pre-LN the residual path from input to output passes through no normalisation, so
    gradients reach the early layers undamped; Xiong et al. show that this is why Pre-LN
    trains without learning-rate warmup while Post-LN needs it.
    """

    def __init__(self, d_model, n_heads, d_ff, norm_first, causal=False):
        super().__init__()
        self.norm_first = norm_first
        self.attn = SelfAttention(d_model, n_heads, causal=causal)
        self.ln1 = nn.LayerNorm(d_model)
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))
        self.ln2 = nn.LayerNorm(d_model)

    def forward(self, x):
        if self.norm_first:                      # Pre-LN
            x = x + self.attn(self.ln1(x))
            x = x + self.ffn(self.ln2(x))
        else:                                    # Post-LN
            x = self.ln1(x + self.attn(x))
            x = self.ln2(x + self.ffn(x))
        return x


class TinyTransformer(nn.Module):
    """A tiny Transformer over token sequences: embeddings, ``n_layers`` blocks, a linear head.

    ``norm_first=False`` is Post-LN (the original Transformer), ``True`` is Pre-LN (GPT-2
    and later); Pre-LN also needs a final LayerNorm before the head, Post-LN already ends
    in one. ``causal=True`` lets position t attend only to positions <= t: a GPT-style
    language model (predict the next character). Positions are learned embeddings.

    Input: int64 tokens ``(batch, T)`` with ``T <= max_len``; output: logits
    ``(batch, T, vocab_size)``.

    Measured (``regkit.data.reverse_task``, ``seq_len=12, vocab=10``, batch 32, Adam lr 0.03,
    400 steps, ``n_layers=3``, default sizes, seeds 0 and 1): Post-LN without warmup stays at
    chance (10 % accuracy); with a 200-step linear warmup it reaches 100 %; Pre-LN reaches
    100 % with or without warmup. About 1.8 s per run on one core.

    Example
    -------
    >>> model = TinyTransformer(vocab_size=10, max_len=16, norm_first=True)
    >>> model(torch.zeros(32, 16, dtype=torch.long)).shape
    torch.Size([32, 16, 10])
    """

    def __init__(self, vocab_size, d_model=32, n_heads=2, n_layers=2, max_len=64,
                 norm_first=False, causal=False, d_ff=None):
        super().__init__()
        for name, value in [("vocab_size", vocab_size), ("d_model", d_model), ("n_heads", n_heads),
                            ("n_layers", n_layers), ("max_len", max_len)]:
            _check_positive_int(name, value)
        if not isinstance(norm_first, bool):
            raise TypeError(f"norm_first must be a bool, got {type(norm_first).__name__}")
        d_ff = 4 * d_model if d_ff is None else _check_positive_int("d_ff", d_ff)
        self.max_len, self.norm_first, self.causal = max_len, norm_first, causal
        self.tok_emb = nn.Embedding(vocab_size, d_model)
        self.pos_emb = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(
            TransformerBlock(d_model, n_heads, d_ff, norm_first, causal) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        if tokens.dim() != 2:
            raise ValueError(f"tokens must have shape (batch, T), got {tuple(tokens.shape)}")
        T = tokens.shape[1]
        if T > self.max_len:
            raise ValueError(f"sequence length {T} exceeds max_len = {self.max_len}")
        x = self.tok_emb(tokens) + self.pos_emb(torch.arange(T, device=tokens.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))

    @torch.no_grad()
    def generate(self, tokens, n_new, temperature=1.0, generator=None):
        """Sample ``n_new`` tokens after ``tokens`` (1-D or (batch, T)); needs ``causal=True``."""
        if not self.causal:
            raise ValueError("generate needs a causal model (causal=True)")
        was_training = self.training
        self.eval()
        x = tokens.unsqueeze(0) if tokens.dim() == 1 else tokens
        for _ in range(n_new):
            logits = self(x[:, -self.max_len:])[:, -1] / temperature
            nxt = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator)
            x = torch.cat([x, nxt], dim=1)
        self.train(was_training)
        return x[0] if tokens.dim() == 1 else x
