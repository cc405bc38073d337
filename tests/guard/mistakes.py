"""Real device mistakes from public code, each with the tensor truly to blame.

Every snippet is a mistake people make and post about, taken from the public code named in
``source`` and cut down to run in a second: the last cell fails with PyTorch's own device
error on an accelerator. ``culprit`` is what the explanation must name as being on the wrong
device, in the user's words: a notebook name, a module's path, or the code of the expression.
Each runs in a fresh notebook shell after SETUP (tests/guard/corpus.py).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = (
    "plain attribute",  # a tensor kept as a plain attribute of a module: .to() does not move it
    "no device=",  # a tensor made in the failing line without device=
    "torch.tensor",  # torch.tensor(...) of numbers or 0-dim tensors: made on the cpu
    "optimizer state",  # the optimizer stepped on the cpu, then the model moved
    "rnn hidden",  # an RNN given a hidden state made on the cpu
    "not moved",  # a notebook tensor or module left on the cpu
    "indexing",  # a CPU tensor indexed with indices on the device
    "local",  # a tensor local to the user's function
    "two devices",  # sim:0 against sim:1 (cuda:0 against cuda:1)
)


@dataclass(frozen=True)
class Mistake:
    name: str
    source: str
    kind: str
    cells: tuple[str, ...]
    culprit: str
    # Why the fix, though right, cannot be run on the simulated device (it runs on CUDA).
    fix_needs_cuda: str = ""


_FUSED = "nn.GRU/nn.LSTM take a fused-cell path that the simulated device has no kernel for"

_QUICKSTART = """\
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(4 * 4, 8), nn.ReLU(), nn.Linear(8, 10)
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits
"""

_TRAIN_ON_CPU_THEN_MOVE = """\
X = torch.rand(8, 16)
y = torch.randint(0, 10, (8,))
for step in range(3):
    loss = F.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.to(device)
"""

_RESUME_ON_DEVICE = """\
X, y = X.to(device), y.to(device)
loss = F.cross_entropy(model(X), y)
optimizer.zero_grad()
loss.backward()
optimizer.step()
"""

MISTAKES: tuple[Mistake, ...] = (
    # ---------------------------------------------------------------- plain attributes
    Mistake(
        name="seq2seq_attention_scale_floattensor",
        source="bentrevett/pytorch-seq2seq 6 - Attention is All You Need (MultiHeadAttentionLayer: self.scale = torch.sqrt(torch.FloatTensor([self.head_dim])))",
        kind="plain attribute",
        cells=(
            """\
class MultiHeadAttentionLayer(nn.Module):
    def __init__(self, hid_dim, n_heads):
        super().__init__()
        self.head_dim = hid_dim // n_heads
        self.fc_q = nn.Linear(hid_dim, hid_dim)
        self.fc_k = nn.Linear(hid_dim, hid_dim)
        self.scale = torch.sqrt(torch.FloatTensor([self.head_dim]))

    def forward(self, query, key):
        Q = self.fc_q(query)
        K = self.fc_k(key)
        energy = torch.matmul(Q, K.permute(0, 2, 1)) / self.scale
        return torch.softmax(energy, dim=-1)

attention = MultiHeadAttentionLayer(8, 2).to(device)
src = torch.rand(2, 5, 8, device=device)
""",
            "attention(src, src)",
        ),
        culprit="attention.scale",
    ),
    Mistake(
        name="labml_rope_cos_cached",
        source="labmlai/annotated_deep_learning_paper_implementations transformers/rope (cos_cached kept as a plain attribute)",
        kind="plain attribute",
        cells=(
            """\
class RotaryPositionalEmbeddings(nn.Module):
    def __init__(self, d, base=10_000):
        super().__init__()
        self.proj = nn.Linear(d, d)
        theta = 1.0 / (base ** (torch.arange(0, d, 2).float() / d))
        seq_idx = torch.arange(64).float()
        idx_theta = torch.einsum("n,d->nd", seq_idx, theta)
        idx_theta2 = torch.cat([idx_theta, idx_theta], dim=1)
        self.cos_cached = idx_theta2.cos()

    def forward(self, x):
        seq_len = x.shape[0]
        return self.proj(x) * self.cos_cached[:seq_len]

rope = RotaryPositionalEmbeddings(8).to(device)
""",
            "rope(torch.rand(5, 8, device=device))",
        ),
        culprit="rope.cos_cached",
    ),
    Mistake(
        name="tutorial_positional_encoding_plain_pe",
        source="pytorch/tutorials beginner_source/transformer_tutorial.py PositionalEncoding (self.pe = pe instead of register_buffer)",
        kind="plain attribute",
        cells=(
            """\
import math

class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=50):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.pe = pe

    def forward(self, x):
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)

pos_encoder = PositionalEncoding(8).to(device)
""",
            "out = pos_encoder(torch.zeros(10, 2, 8, device=device))",
        ),
        culprit="pos_encoder.pe",
    ),
    Mistake(
        name="mingpt_causal_mask_plain_bias",
        source="karpathy/minGPT mingpt/model.py CausalSelfAttention (the causal mask as self.bias instead of register_buffer)",
        kind="plain attribute",
        cells=(
            """\
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, block_size):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.bias = torch.tril(torch.ones(block_size, block_size)).view(1, block_size, block_size)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        att = q @ k.transpose(-2, -1)
        att = att.masked_fill(self.bias[:, :T, :T] == 0, float('-inf'))
        return torch.softmax(att, dim=-1) @ v

attn = CausalSelfAttention(8, 16).to(device)
""",
            "y = attn(torch.rand(2, 4, 8, device=device))",
        ),
        culprit="attn.bias",
    ),
    Mistake(
        name="d2l_positional_encoding_without_to",
        source="d2l-ai/d2l-en chapter_attention-mechanisms-and-transformers/self-attention-and-positional-encoding (self.P, used without .to(X.device))",
        kind="plain attribute",
        cells=(
            """\
class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=100):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len, dtype=torch.float32).reshape(
            -1, 1) / torch.pow(10000, torch.arange(
            0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :]
        return self.dropout(X)

pos_encoding = PositionalEncoding(8, 0).to(device)
X = torch.zeros((1, 6, 8), device=device)
""",
            "P = pos_encoding(X)",
        ),
        culprit="pos_encoding.P",
    ),
    Mistake(
        name="labml_ddpm_alpha_bar_plain",
        source="labmlai/annotated_deep_learning_paper_implementations diffusion/ddpm (alpha_bar gathered at t; here a Module attribute made on the cpu)",
        kind="plain attribute",
        cells=(
            """\
class DenoiseDiffusion(nn.Module):
    def __init__(self, n_steps):
        super().__init__()
        self.eps_model = nn.Linear(4, 4)
        self.beta = torch.linspace(0.0001, 0.02, n_steps)
        self.alpha = 1. - self.beta
        self.alpha_bar = torch.cumprod(self.alpha, dim=0)

    def q_xt_x0(self, x0, t):
        mean = self.alpha_bar.gather(-1, t).reshape(-1, 1) ** 0.5 * x0
        return mean

diffusion = DenoiseDiffusion(10).to(device)
x0 = torch.rand(3, 4, device=device)
t = torch.randint(0, 10, (3,), device=device)
""",
            "mean = diffusion.q_xt_x0(x0, t)",
        ),
        culprit="diffusion.alpha_bar",
    ),
    Mistake(
        name="vit_pos_embedding_plain",
        source="lucidrains/vit-pytorch vit.py (pos_embedding written as a plain tensor instead of nn.Parameter)",
        kind="plain attribute",
        cells=(
            """\
class ViT(nn.Module):
    def __init__(self, num_patches, dim):
        super().__init__()
        self.to_patch_embedding = nn.Linear(12, dim)
        self.pos_embedding = torch.randn(1, num_patches, dim)

    def forward(self, patches):
        x = self.to_patch_embedding(patches)
        b, n, _ = x.shape
        x += self.pos_embedding[:, :n]
        return x.mean(dim=1)

vit = ViT(4, 8).to(device)
""",
            "vit(torch.rand(2, 4, 12, device=device))",
        ),
        culprit="vit.pos_embedding",
    ),
    # ---------------------------------------------------------------- made without device=
    Mistake(
        name="annotated_transformer_greedy_decode_ones",
        source="harvardnlp/annotated-transformer greedy_decode (torch.ones(1, 1).fill_(next_word) without type_as(src.data))",
        kind="no device=",
        cells=(
            """\
def greedy_step(ys, next_word):
    return torch.cat([ys, torch.ones(1, 1).fill_(next_word)], dim=1)

ys = torch.zeros(1, 1, device=device)
""",
            "ys = greedy_step(ys, 3)",
        ),
        culprit="torch.ones(1, 1)",
    ),
    Mistake(
        name="ng_video_lecture_arange_positions",
        source="karpathy/ng-video-lecture gpt.py forward (torch.arange(T) without device=device)",
        kind="no device=",
        cells=(
            """\
class TinyGPT(nn.Module):
    def __init__(self, vocab_size=11, block_size=8, n_embd=8):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)

    def forward(self, idx):
        B, T = idx.shape
        tok_emb = self.token_embedding_table(idx)
        pos_emb = self.position_embedding_table(torch.arange(T))
        return tok_emb + pos_emb

gpt = TinyGPT().to(device)
""",
            "logits = gpt(torch.zeros((1, 4), dtype=torch.long, device=device))",
        ),
        culprit="torch.arange(T)",
    ),
    Mistake(
        name="causal_mask_triu_ones",
        source="pytorch/tutorials transformer_tutorial.py generate_square_subsequent_mask, built inside forward without device=",
        kind="no device=",
        cells=(
            """\
def masked_scores(scores):
    T = scores.size(-1)
    return scores.masked_fill(torch.triu(torch.ones(T, T), diagonal=1).bool(), float('-inf'))

scores = torch.rand(2, 5, 5, device=device)
""",
            "masked = masked_scores(scores)",
        ),
        culprit="torch.ones(T, T)",
    ),
    Mistake(
        name="gcn_self_loops_eye",
        source="tkipf/pygcn-style adjacency normalisation (A + torch.eye(n)) on a device adjacency matrix",
        kind="no device=",
        cells=(
            """\
def normalize(A):
    A_hat = A + torch.eye(A.shape[0])
    return A_hat / A_hat.sum(1, keepdim=True)

A = (torch.rand(4, 4, device=device) > 0.5).float()
""",
            "A_norm = normalize(A)",
        ),
        culprit="torch.eye(A.shape[0])",
    ),
    Mistake(
        name="ddpm_sample_noise_randn",
        source="labmlai ddpm p_sample / d2l-style sampling (torch.randn(x.shape) without device=)",
        kind="no device=",
        cells=(
            """\
def p_sample(mean, var):
    return mean + (var ** 0.5) * torch.randn(mean.shape)

mean = torch.zeros(2, 4, device=device)
var = torch.ones(2, 4, device=device)
""",
            "x = p_sample(mean, var)",
        ),
        culprit="torch.randn(mean.shape)",
    ),
    Mistake(
        name="label_smoothing_zeros",
        source="harvardnlp/annotated-transformer LabelSmoothing-style true_dist built with torch.zeros(...) inside the loss",
        kind="local",
        cells=(
            """\
def smoothed_loss(x, target, smoothing=0.1):
    true_dist = torch.zeros(x.shape).fill_(smoothing / (x.size(1) - 1))
    return F.kl_div(x, true_dist.scatter_(1, target.unsqueeze(1), 1 - smoothing), reduction="sum")

x = torch.log_softmax(torch.rand(3, 5, device=device), dim=-1)
target = torch.tensor([1, 2, 0], device=device)
""",
            "loss = smoothed_loss(x, target)",
        ),
        culprit="true_dist",
    ),
    Mistake(
        name="one_hot_weights_linspace",
        source="fastai/fastbook 04_mnist_basics-style weighting with a torch.linspace(...) made on the cpu",
        kind="no device=",
        cells=(
            """\
def weighted(preds):
    return (preds * torch.linspace(0, 1, preds.shape[1])).sum(1)

preds = torch.rand(4, 10, device=device)
""",
            "w = weighted(preds)",
        ),
        culprit="torch.linspace(0, 1, preds.shape[1])",
    ),
    # ---------------------------------------------------------------- torch.tensor(...)
    Mistake(
        name="examples_actor_critic_smooth_l1_R",
        source="pytorch/examples reinforcement_learning/actor_critic.py finish_episode (F.smooth_l1_loss(value, torch.tensor([R])))",
        kind="torch.tensor",
        cells=(
            """\
def finish_episode(saved_values, returns):
    value_losses = []
    for value, R in zip(saved_values, returns):
        value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))
    return torch.stack(value_losses).sum()

saved_values = [torch.rand(1, device=device) for _ in range(3)]
returns = torch.tensor([1.0, 0.5, 0.25])
""",
            "loss = finish_episode(saved_values, returns)",
        ),
        culprit="torch.tensor([R])",
    ),
    Mistake(
        name="d2l_linear_regression_true_w",
        source="d2l-ai/d2l-en chapter_linear-regression/linear-regression-scratch (synthetic_data with torch.tensor([2, -3.4]) beside device data)",
        kind="torch.tensor",
        cells=(
            """\
def squared_error(X, y):
    y_hat = torch.matmul(X, torch.tensor([2, -3.4]))
    return ((y_hat - y) ** 2 / 2).mean()

X = torch.normal(0, 1, (10, 2), device=device)
y = torch.rand(10, device=device)
""",
            "l = squared_error(X, y)",
        ),
        culprit="torch.tensor([2, -3.4])",
    ),
    Mistake(
        name="hf_course_labels_tensor",
        source="huggingface/course chapter3 (loss on logits with labels = torch.tensor([1, 1]) made in the line)",
        kind="torch.tensor",
        cells=(
            """\
classifier = nn.Linear(6, 2).to(device)
features = torch.rand(2, 6, device=device)

def loss_for(features):
    logits = classifier(features)
    return F.cross_entropy(logits, torch.tensor([1, 1]))
""",
            "loss = loss_for(features)",
        ),
        culprit="torch.tensor([1, 1])",
    ),
    Mistake(
        name="dqn_reward_tensor",
        source="pytorch/tutorials intermediate_source/reinforcement_q_learning.py (expected values with torch.tensor([reward]) made on the cpu)",
        kind="torch.tensor",
        cells=(
            """\
GAMMA = 0.99

def expected_value(next_state_values, reward):
    return (next_state_values * GAMMA) + torch.tensor([reward, reward])

next_state_values = torch.rand(2, device=device)
""",
            "expected = expected_value(next_state_values, 1.0)",
        ),
        culprit="torch.tensor([reward, reward])",
    ),
    Mistake(
        name="class_weights_tensor",
        source="pytorch forums / examples: nn.functional.cross_entropy(weight=torch.tensor([...])) with device logits",
        kind="torch.tensor",
        cells=(
            """\
def weighted_loss(logits, targets):
    return F.cross_entropy(logits, targets, weight=torch.tensor([1.0, 2.0, 0.5]))

logits = torch.rand(4, 3, device=device)
targets = torch.tensor([0, 1, 2, 1], device=device)
""",
            "loss = weighted_loss(logits, targets)",
        ),
        culprit="torch.tensor([1.0, 2.0, 0.5])",
    ),
    Mistake(
        name="seq2seq_legacy_longtensor_sos",
        source="pytorch/tutorials intermediate_source/seq2seq_translation_tutorial.py (decoder input from torch.LongTensor([[SOS_token]]))",
        kind="torch.tensor",
        cells=(
            """\
SOS_token = 0
embedding = nn.Embedding(10, 4).to(device)

def first_step():
    return embedding(torch.LongTensor([[SOS_token]]))
""",
            "out = first_step()",
        ),
        culprit="torch.LongTensor([[SOS_token]])",
    ),
    # ---------------------------------------------------------------- optimizer state
    Mistake(
        name="quickstart_adam_then_to_device",
        source="pytorch/tutorials beginner_source/basics/quickstart_tutorial.py (a few CPU steps with Adam, then model.to(device))",
        kind="optimizer state",
        cells=(
            "model = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 10))\n"
            "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n",
            _TRAIN_ON_CPU_THEN_MOVE,
            _RESUME_ON_DEVICE,
        ),
        culprit="optimizer",
    ),
    Mistake(
        name="examples_mnist_sgd_momentum_then_to_device",
        source="pytorch/examples mnist/main.py-style loop (SGD with momentum, resumed on the device)",
        kind="optimizer state",
        cells=(
            "model = nn.Sequential(nn.Linear(16, 10))\n"
            "optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
            _TRAIN_ON_CPU_THEN_MOVE,
            _RESUME_ON_DEVICE,
        ),
        culprit="optimizer",
    ),
    Mistake(
        name="nanogpt_adamw_resume_on_device",
        source="karpathy/nanoGPT train.py (AdamW state from CPU steps, model then moved)",
        kind="optimizer state",
        cells=(
            "model = nn.Sequential(nn.Linear(16, 10))\n"
            "optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, weight_decay=0.1)\n",
            _TRAIN_ON_CPU_THEN_MOVE,
            _RESUME_ON_DEVICE,
        ),
        culprit="optimizer",
    ),
    Mistake(
        name="examples_mnist_adadelta_then_to_device",
        source="pytorch/examples mnist/main.py (optim.Adadelta), stepped on the cpu first",
        kind="optimizer state",
        cells=(
            "model = nn.Sequential(nn.Linear(16, 10))\n"
            "optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)\n",
            _TRAIN_ON_CPU_THEN_MOVE,
            _RESUME_ON_DEVICE,
        ),
        culprit="optimizer",
    ),
    Mistake(
        name="train_function_rmsprop_then_to_device",
        source="pytorch/tutorials reinforcement_q_learning.py-style optimize_model() using a global optimizer (RMSprop)",
        kind="optimizer state",
        cells=(
            "model = nn.Sequential(nn.Linear(16, 10))\n"
            "optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-2)\n",
            _TRAIN_ON_CPU_THEN_MOVE,
            """\
def optimize_model(X, y):
    loss = F.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

optimize_model(X.to(device), y.to(device))
""",
        ),
        culprit="optimizer",
    ),
    # ---------------------------------------------------------------- RNN hidden states
    Mistake(
        name="examples_word_language_model_init_hidden_zeros",
        source="pytorch/examples word_language_model/model.py init_hidden (torch.zeros instead of weight.new_zeros)",
        kind="rnn hidden",
        cells=(
            """\
class RNNModel(nn.Module):
    def __init__(self, ntoken=10, ninp=4, nhid=6):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.RNN(ninp, nhid, 1, nonlinearity='tanh')
        self.nhid = nhid

    def forward(self, input, hidden):
        emb = self.encoder(input)
        output, hidden = self.rnn(emb, hidden)
        return output, hidden

    def init_hidden(self, bsz):
        return torch.zeros(1, bsz, self.nhid)

lm = RNNModel().to(device)
hidden = lm.init_hidden(2)
""",
            "output, hidden = lm(torch.zeros(5, 2, dtype=torch.long, device=device), hidden)",
        ),
        culprit="hidden",
    ),
    Mistake(
        name="d2l_rnn_concise_state",
        source="d2l-ai/d2l-en chapter_recurrent-neural-networks/rnn-concise (state = torch.zeros((1, batch_size, num_hiddens)))",
        kind="rnn hidden",
        cells=(
            """\
num_hiddens, batch_size, num_steps = 8, 2, 3
rnn_layer = nn.RNN(5, num_hiddens).to(device)
state = torch.zeros((1, batch_size, num_hiddens))
X = torch.rand(size=(num_steps, batch_size, 5), device=device)
""",
            "Y, state_new = rnn_layer(X, state)",
        ),
        culprit="state",
    ),
    Mistake(
        name="seq2seq_encoder_gru_h0",
        source="pytorch/tutorials seq2seq_translation_tutorial.py EncoderRNN.initHidden (torch.zeros(1, 1, hidden_size) without device=)",
        kind="rnn hidden",
        cells=(
            """\
hidden_size = 6
gru = nn.GRU(hidden_size, hidden_size).to(device)
encoder_hidden = torch.zeros(1, 1, hidden_size)
embedded = torch.rand(1, 1, hidden_size, device=device)
""",
            "output, encoder_hidden = gru(embedded, encoder_hidden)",
        ),
        culprit="encoder_hidden",
        fix_needs_cuda=_FUSED,
    ),
    Mistake(
        name="lstm_tagger_hidden_tuple",
        source="pytorch/tutorials beginner_source/nlp/sequence_models_tutorial.py (LSTM hidden from torch.randn(1, 1, 3))",
        kind="rnn hidden",
        cells=(
            """\
lstm = nn.LSTM(3, 3).to(device)
hidden = (torch.randn(1, 1, 3), torch.randn(1, 1, 3))
inputs = torch.randn(5, 1, 3, device=device)
""",
            "out, hidden = lstm(inputs, hidden)",
        ),
        culprit="hidden[0]",
        fix_needs_cuda=_FUSED,
    ),
    # ---------------------------------------------------------------- not moved
    Mistake(
        name="quickstart_model_not_moved",
        source="pytorch/tutorials quickstart_tutorial.py (model = NeuralNetwork() without .to(device))",
        kind="not moved",
        cells=(
            _QUICKSTART,
            "model = NeuralNetwork()\nX = torch.rand(1, 4, 4, device=device)\n",
            "logits = model(X)",
        ),
        culprit="model.linear_relu_stack.0.weight",
    ),
    Mistake(
        name="d2l_cross_entropy_targets_on_cpu",
        source="d2l-ai/d2l-en softmax-regression-concise (labels left on the cpu)",
        kind="not moved",
        cells=(
            "net = nn.Sequential(nn.Flatten(), nn.Linear(16, 10)).to(device)\n"
            "X = torch.rand(4, 4, 4, device=device)\n"
            "y = torch.randint(0, 10, (4,))\n",
            "l = F.cross_entropy(net(X), y)",
        ),
        culprit="y",
    ),
    Mistake(
        name="fastbook_mnist_weights_on_cpu",
        source="fastai/fastbook 04_mnist_basics (linear1: xb @ weights + bias, weights made with init_params on the cpu)",
        kind="not moved",
        cells=(
            """\
def init_params(size, std=1.0): return (torch.randn(size)*std).requires_grad_()
weights = init_params((16, 1))
def linear1(xb): return xb@weights
train_x = torch.rand(8, 16, device=device)
""",
            "preds = linear1(train_x)",
        ),
        culprit="weights",
    ),
    Mistake(
        name="conv_input_not_moved",
        source="pytorch/examples mnist/main.py Net (conv1) called on a batch left on the cpu",
        kind="not moved",
        cells=(
            "conv1 = nn.Conv2d(1, 4, 3, 1).to(device)\ndata = torch.rand(2, 1, 8, 8)\n",
            "out = conv1(data)",
        ),
        culprit="data",
    ),
    Mistake(
        name="examples_vae_recon_loss_target_cpu",
        source="pytorch/examples vae/main.py loss_function (binary_cross_entropy(recon_x, x) with x left on the cpu)",
        kind="not moved",
        cells=(
            "recon_batch = torch.sigmoid(torch.rand(4, 784, device=device))\n"
            "data = torch.rand(4, 784)\n",
            "BCE = F.binary_cross_entropy(recon_batch, data.view(-1, 784), reduction='sum')",
        ),
        culprit="data",
    ),
    Mistake(
        name="makemore_embedding_table_cpu",
        source="karpathy/nn-zero-to-hero makemore part 2 (C = torch.randn((27, 2)) indexed with device Xtr)",
        kind="indexing",
        cells=(
            "C = torch.randn((27, 2))\nXtr = torch.randint(0, 27, (32, 3), device=device)\n",
            "emb = C[Xtr]",
        ),
        culprit="C",
    ),
    Mistake(
        name="d2l_sgd_update_params_cpu",
        source="d2l-ai/d2l-en linear-regression-scratch sgd (param -= lr * param.grad), one parameter left on the cpu",
        kind="not moved",
        cells=(
            "w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)\n"
            "b = torch.zeros(1, device=device, requires_grad=True)\n"
            "X = torch.rand(5, 2, device=device)\n",
            "y_hat = torch.matmul(X, w) + b",
        ),
        culprit="w",
    ),
    # ---------------------------------------------------------------- indexing
    Mistake(
        name="diffusion_unicode_alpha_bar_index",
        source="a diffusion notebook after labml ddpm: ᾱ = torch.cumprod(α, 0) on the cpu, indexed with t on the device",
        kind="indexing",
        cells=(
            """\
β = torch.linspace(1e-4, 0.02, 10)
α = 1 - β
ᾱ = torch.cumprod(α, dim=0)

def q_sample(x0, t, ε):
    return ᾱ[t].sqrt().view(-1, 1) * x0 + (1 - ᾱ[t]).sqrt().view(-1, 1) * ε

x0 = torch.rand(3, 4, device=device)
ε = torch.randn_like(x0)
t = torch.randint(0, 10, (3,), device=device)
""",
            "xt = q_sample(x0, t, ε)",
        ),
        culprit="ᾱ",
    ),
    Mistake(
        name="dqn_next_state_values_zeros",
        source="pytorch/tutorials reinforcement_q_learning.py optimize_model (next_state_values = torch.zeros(BATCH_SIZE) without device=)",
        kind="indexing",
        cells=(
            """\
BATCH_SIZE = 4
target_net = nn.Linear(3, 2).to(device)

def next_values(non_final_mask, non_final_next_states):
    next_state_values = torch.zeros(BATCH_SIZE)
    next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
    return next_state_values

non_final_mask = torch.tensor([True, False, True, True], device=device)
non_final_next_states = torch.rand(3, 3, device=device)
""",
            "v = next_values(non_final_mask, non_final_next_states)",
        ),
        culprit="next_state_values",
    ),
    Mistake(
        name="class_names_lookup_cpu_table",
        source="fastai/fastbook-style lookup of per-class values (a cpu table indexed with device predictions)",
        kind="indexing",
        cells=(
            "class_weights = torch.tensor([0.1, 0.5, 0.9])\n"
            "preds = torch.tensor([2, 0, 1, 1], device=device)\n",
            "w = class_weights[preds] * torch.ones(4, device=device)",
        ),
        culprit="class_weights",
    ),
    # ---------------------------------------------------------------- locals of the user's functions
    Mistake(
        name="mix_argument_made_on_cpu",
        source="a notebook helper called with a temporary (def mix(u, v): return u + v; mix(torch.ones(3), sim_t)), with a global u also defined",
        kind="local",
        cells=(
            "u = torch.ones(3)\nsim_t = torch.ones(3, device=device)\n"
            "def mix(u, v):\n    return u + v\n",
            "mix(torch.ones(3), sim_t)",
        ),
        culprit="u",
    ),
    Mistake(
        name="examples_reinforce_returns_local",
        source="pytorch/examples reinforcement_learning/reinforce.py finish_episode (returns = torch.tensor(returns) beside device log-probs)",
        kind="local",
        cells=(
            """\
def finish_episode(log_probs, rewards, gamma=0.99):
    R = 0
    returns = []
    for r in rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + 1e-8)
    return torch.cat([-log_prob * R for log_prob, R in zip(log_probs, returns)]).sum() + (log_probs[0] * returns).sum()

log_probs = [torch.rand(1, device=device) for _ in range(3)]
""",
            "loss = finish_episode(log_probs, [1.0, 0.0, 1.0])",
        ),
        culprit="returns",
    ),
    Mistake(
        name="fastbook_mnist_loss_local_targets",
        source="fastai/fastbook 04_mnist_basics mnist_loss (torch.where(targets==1, 1-predictions, predictions)) with targets made in the function",
        kind="local",
        cells=(
            """\
def mnist_loss(predictions, labels):
    targets = torch.as_tensor(labels).unsqueeze(1)
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()

predictions = torch.rand(4, 1, device=device)
""",
            "loss = mnist_loss(predictions, [1, 0, 1, 1])",
        ),
        culprit="targets",
    ),
    # ---------------------------------------------------------------- two accelerators
    Mistake(
        name="two_devices_add",
        source="a notebook on a machine with two GPUs (a0 on cuda:0, a1 on cuda:1)",
        kind="two devices",
        cells=(
            "a0 = torch.ones(3, device='sim:0')\na1 = torch.ones(3, device='sim:1')\n"
            "def combine(a, b):\n    return a + b\n",
            "combine(a0, a1)",
        ),
        culprit="a1",
    ),
    Mistake(
        name="two_devices_split_model_input",
        source="accelerate/transformers device_map split models: a layer on cuda:1 fed an input on cuda:0",
        kind="two devices",
        cells=(
            "layers = nn.ModuleList([nn.Linear(4, 4).to('sim:0'), nn.Linear(4, 4).to('sim:1')])\n"
            "def forward(x):\n    h = layers[0](x)\n    return layers[1](h)\n"
            "x = torch.rand(2, 4, device='sim:0')\n",
            "out = forward(x)",
        ),
        culprit="h",
    ),
    Mistake(
        name="two_devices_add_in_the_cell",
        source="a notebook on a machine with two GPUs: activations from two replicas added (x0 on cuda:0, x1 on cuda:1)",
        kind="two devices",
        cells=(
            "x0 = torch.rand(2, 3, device='sim:0')\nx1 = torch.rand(2, 3, device='sim:1')\n",
            "total = x0 + x1",
        ),
        culprit="x1",
    ),
    Mistake(
        name="two_devices_model_parallel_labels",
        source="pytorch/tutorials intermediate_source/model_parallel_tutorial.py (ToyModel: net1 on cuda:0, net2 on cuda:1; the labels must be on the outputs' device, cuda:1)",
        kind="two devices",
        cells=(
            """\
class ToyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net1 = nn.Linear(10, 10).to('sim:0')
        self.relu = nn.ReLU()
        self.net2 = nn.Linear(10, 5).to('sim:1')

    def forward(self, x):
        x = self.relu(self.net1(x.to('sim:0')))
        return self.net2(x.to('sim:1'))

model = ToyModel()
loss_fn = nn.MSELoss()
outputs = model(torch.randn(20, 10))
labels = torch.randn(20, 5).to('sim:0')
""",
            "loss = loss_fn(outputs, labels)",
        ),
        culprit="labels",
    ),
    Mistake(
        name="two_devices_index_select_other_gpu",
        source="a two-GPU notebook: an embedding table on cuda:0 gathered with token ids left on cuda:1 (torch.index_select)",
        kind="two devices",
        cells=(
            "table = torch.rand(10, 4, device='sim:0')\nids = torch.tensor([1, 3], device='sim:1')\n",
            "rows = torch.index_select(table, 0, ids)",
        ),
        culprit="ids",
    ),
    Mistake(
        name="two_devices_device_map_input_on_the_last_device",
        source="huggingface/accelerate big model inference (dispatch_model, device_map='auto': hooks move activations between layers; the inputs go to the first layer's device)",
        kind="two devices",
        cells=(
            """\
model = nn.Sequential(nn.Linear(4, 8).to('sim:0'), nn.ReLU(), nn.Linear(8, 2).to('sim:1'))
# What device_map's hooks do: each layer moves its input to its own device, after the first.
for layer in list(model)[1:]:
    layer.register_forward_pre_hook(
        lambda module, args: tuple(a.to(next(module.parameters(), a).device) for a in args)
    )
x = torch.rand(3, 4, device='sim:1')
""",
            "logits = model(x)",
        ),
        culprit="x",
    ),
    Mistake(
        name="two_devices_split_blocks_input_on_the_wrong_device",
        source="huggingface/transformers (a model loaded with device_map='auto': its blocks over cuda:0 and cuda:1, the inputs left on cuda:1)",
        kind="two devices",
        cells=(
            """\
class SplitMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 8).to('sim:0'), nn.Linear(8, 2).to('sim:1')])

    def forward(self, x):
        h = self.layers[0](x)
        return self.layers[1](h.to('sim:1'))

model = SplitMLP()
input_ids = torch.rand(3, 4, device='sim:1')
""",
            "out = model(input_ids)",
        ),
        culprit="input_ids",
    ),
    Mistake(
        name="two_devices_sequential_split_by_hand",
        source="pytorch forums 'model parallel: Expected all tensors to be on the same device, cuda:0 and cuda:1' (nn.Sequential with its layers placed on two GPUs by hand, no transfer between them)",
        kind="two devices",
        cells=(
            "model = nn.Sequential(nn.Linear(4, 8).to('sim:0'), nn.ReLU(), nn.Linear(8, 2).to('sim:1'))\n"
            "x = torch.rand(3, 4, device='sim:0')\n",
            "logits = model(x)",
        ),
        culprit="model.2",
    ),
    Mistake(
        name="two_devices_layers_loop_split_by_hand",
        source="pytorch forums 'naive model parallelism' (blocks of a ModuleList placed on two GPUs, the forward's loop passing x on without moving it)",
        kind="two devices",
        cells=(
            """\
class Blocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4).to('sim:0'), nn.Linear(4, 4).to('sim:1')])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

blocks = Blocks()
x = torch.rand(2, 4, device='sim:0')
""",
            "out = blocks(x)",
        ),
        culprit="x",
    ),
)
