"""regkit.models: the MLP, the written-out RNN, and the Post-LN / Pre-LN Transformer."""


import pytest
import torch
from torch import nn

from regkit import models


# --------------------------------------------------------------------------- MLP
def test_mlp_shapes_and_layers():
    model = models.MLP(64, hidden=(32, 16), out_features=10, activation="tanh")
    assert model(torch.zeros(5, 64)).shape == (5, 10)
    kinds = [type(m) for m in model.net]
    assert kinds == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]  # logits: no final act
    assert [m.out_features for m in model.net if isinstance(m, nn.Linear)] == [32, 16, 10]
    assert models.count_parameters(model) == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10


def test_mlp_defaults_fit_digits_and_hidden_may_be_an_int():
    assert models.MLP()(torch.zeros(2, 64)).shape == (2, 10)
    assert len(models.MLP(hidden=8).net) == 3
    assert len(models.MLP(hidden=()).net) == 1  # logistic regression


def test_layer_norm_mlp_is_unchanged_when_a_hidden_matrix_is_scaled():
    torch.manual_seed(0)
    model = models.MLP(64, hidden=(16, 16), layer_norm=True)
    kinds = [type(m) for m in model.net]
    assert kinds == [nn.Linear, nn.LayerNorm, nn.ReLU, nn.Linear, nn.LayerNorm, nn.ReLU, nn.Linear]
    assert model.net[0].bias is None and model.net[3].bias is None and model.net[6].bias is not None
    x = torch.randn(7, 64)
    before = model(x)
    with torch.no_grad():
        model.net[0].weight.mul_(5.0)
        model.net[3].weight.mul_(0.5)
    # equal up to LayerNorm's ε = 1e-5, added to the variance it divides by
    torch.testing.assert_close(model(x), before, rtol=1e-3, atol=1e-3)


def test_mlp_bad_arguments():
    with pytest.raises(TypeError, match="layer_norm"):
        models.MLP(layer_norm="yes")
    with pytest.raises(ValueError, match="activation"):
        models.MLP(activation="swish!")
    with pytest.raises(ValueError, match="hidden"):
        models.MLP(hidden=(0,))
    with pytest.raises(TypeError, match="in_features"):
        models.MLP(in_features=6.4)


# --------------------------------------------------------------------------- TinyRNN
def test_tiny_rnn_is_the_elman_recursion():
    torch.manual_seed(0)
    rnn = models.TinyRNN(input_size=2, hidden_size=5, output_size=1)
    x = torch.randn(3, 7, 2)
    W_xh, b, W_hh = rnn.W_xh.weight, rnn.W_xh.bias, rnn.W_hh.weight
    h = torch.zeros(3, 5)
    for t in range(7):  # h_t = tanh(W_hh h_{t-1} + W_xh x_t + b), one example at a time
        h = torch.stack([torch.tanh(W_hh @ h[i] + W_xh @ x[i, t] + b) for i in range(3)])
    expected = h @ rnn.W_hy.weight.T + rnn.W_hy.bias
    assert torch.allclose(rnn(x), expected, atol=1e-6)


def test_tiny_rnn_recurrent_scale_sets_the_singular_values():
    torch.manual_seed(0)
    rnn = models.TinyRNN(hidden_size=16, recurrent_scale=2.5)
    s = torch.linalg.svdvals(rnn.W_hh.weight.detach())
    assert torch.allclose(s, torch.full((16,), 2.5), atol=1e-5)
    with pytest.raises(ValueError, match="recurrent_scale"):
        models.TinyRNN(recurrent_scale=0.0)
    with pytest.raises(ValueError, match="x must have shape"):
        models.TinyRNN()(torch.zeros(3, 2))


def test_larger_recurrent_scale_gives_larger_gradients():
    # the reason the adding-problem chapter turns this knob: the BPTT product explodes
    from regkit.data import adding_problem
    X, y = adding_problem(64, seq_len=30, seed=0)
    norms = {}
    for scale in (0.5, 3.0):
        torch.manual_seed(0)
        rnn = models.TinyRNN(hidden_size=32, recurrent_scale=scale)
        nn.functional.mse_loss(rnn(X), y).backward()
        norms[scale] = rnn.W_xh.weight.grad.norm().item()
    assert norms[3.0] > 10 * norms[0.5]


# --------------------------------------------------------------------------- TinyTransformer
def test_transformer_shapes():
    model = models.TinyTransformer(vocab_size=11, d_model=32, n_heads=2, n_layers=2, max_len=16)
    assert model(torch.zeros(4, 16, dtype=torch.long)).shape == (4, 16, 11)
    assert model(torch.zeros(4, 5, dtype=torch.long)).shape == (4, 5, 11)
    assert len(model.blocks) == 2


def _call_order(block, x):
    order = []
    for name in ("attn", "ln1", "ffn", "ln2"):
        getattr(block, name).register_forward_hook(lambda m, i, o, name=name: order.append(name))
    block(x)
    return order


def test_post_ln_normalises_after_the_residual_pre_ln_before_the_sublayer():
    torch.manual_seed(0)
    x = torch.randn(2, 6, 16) * 3 + 1
    post = models.TransformerBlock(16, 2, 64, norm_first=False)
    pre = models.TransformerBlock(16, 2, 64, norm_first=True)
    pre.load_state_dict(post.state_dict())  # same weights: only the placement of LN differs
    assert _call_order(post, x) == ["attn", "ln1", "ffn", "ln2"]
    assert _call_order(pre, x) == ["ln1", "attn", "ln2", "ffn"]
    # Post-LN: every token of the output is layer-normalised (mean 0, std 1 at init)
    y = post(x)
    assert torch.allclose(y.mean(-1), torch.zeros(2, 6), atol=1e-5)
    assert torch.allclose(y.var(-1, unbiased=False), torch.ones(2, 6), atol=1e-3)
    # Pre-LN: the residual stream is not normalised; it is x plus the sublayers' outputs
    z = pre(x)
    assert (z.var(-1, unbiased=False) - 1).abs().max() > 1.0
    a = x + pre.attn(pre.ln1(x))
    assert torch.allclose(z, a + pre.ffn(pre.ln2(a)), atol=1e-6)


def test_pre_ln_model_has_a_final_norm_post_ln_does_not():
    post = models.TinyTransformer(10, max_len=8, norm_first=False)
    pre = models.TinyTransformer(10, max_len=8, norm_first=True)
    assert isinstance(post.ln_f, nn.Identity) and isinstance(pre.ln_f, nn.LayerNorm)
    assert all(not b.norm_first for b in post.blocks) and all(b.norm_first for b in pre.blocks)


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_is_torchs_scaled_dot_product_attention(causal):
    """Written out as softmax(QKᵀ/√d_k)V, it computes what torch's kernel computes."""
    torch.manual_seed(0)
    attention = models.SelfAttention(d_model=32, n_heads=4, causal=causal)
    x = torch.randn(3, 7, 32)
    B, T, D = x.shape
    q, k, v = attention.qkv(x).view(B, T, 3, 4, D // 4).permute(2, 0, 3, 1, 4)
    y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
    expected = attention.out(y.transpose(1, 2).reshape(B, T, D))
    assert torch.allclose(attention(x), expected, atol=1e-6, rtol=0)


def test_causal_mask_hides_the_future():
    torch.manual_seed(0)
    tokens = torch.randint(0, 10, (2, 8))
    changed = tokens.clone()
    changed[:, 5] = (changed[:, 5] + 1) % 10
    for causal in (True, False):
        model = models.TinyTransformer(10, max_len=8, causal=causal).eval()
        before, after = model(tokens), model(changed)
        same_past = torch.allclose(before[:, :5], after[:, :5], atol=1e-6)
        assert same_past == causal
        assert not torch.allclose(before[:, 5:], after[:, 5:])


def test_generate_appends_tokens():
    torch.manual_seed(0)
    model = models.TinyTransformer(10, max_len=8, causal=True)
    out = model.generate(torch.tensor([1, 2, 3]), 12, generator=torch.Generator().manual_seed(0))
    assert out.shape == (15,) and torch.equal(out[:3], torch.tensor([1, 2, 3]))
    assert model.training  # generate restores the mode
    with pytest.raises(ValueError, match="causal"):
        models.TinyTransformer(10, max_len=8).generate(torch.tensor([1]), 2)


def test_transformer_bad_arguments():
    with pytest.raises(ValueError, match="divisible"):
        models.TinyTransformer(10, d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="max_len"):
        models.TinyTransformer(10, max_len=4)(torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(TypeError, match="norm_first"):
        models.TinyTransformer(10, norm_first="pre")
    with pytest.raises(ValueError, match="vocab_size"):
        models.TinyTransformer(0)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_is_tiny(norm_first):
    # its speed is the benchmark's business (benchmarks/), not a test's: timings depend on the machine
    torch.manual_seed(0)
    model = models.TinyTransformer(10, max_len=16, norm_first=norm_first)
    assert models.count_parameters(model) < 30_000
    x = torch.randint(0, 10, (32, 16))
    out = model(x)
    assert out.shape == (32, 16, 10)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_one_per_seed_builds_each_model_after_seeding_torch():
    from regkit.models import MLP, one_per_seed

    models = one_per_seed(MLP, [3, 4, 3])
    torch.manual_seed(4)
    alone = MLP()
    assert all(torch.equal(p, q) for p, q in zip(models[1].parameters(), alone.parameters()))
    assert all(torch.equal(p, q) for p, q in zip(models[0].parameters(), models[2].parameters()))
    assert not torch.equal(models[0].net[0].weight, models[1].net[0].weight)
    with pytest.raises(TypeError, match="make"):
        one_per_seed("MLP", [0])
