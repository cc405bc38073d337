"""Everyday PyTorch code from public tutorials and examples, adapted to run in a second on the CPU.
Each snippet runs in a fresh notebook shell where the setup cell has run (see SETUP)."""

from dataclasses import dataclass

SETUP = (
    "import torch\n"
    "from torch import nn\n"
    "import torch.nn.functional as F\n"
    "device = torch.device('sim:0')\n"
)


@dataclass(frozen=True)
class Snippet:
    name: str  # short unique id, e.g. "examples_mnist_train_step"
    source: str  # e.g. "pytorch/examples mnist/main.py" or "d2l-en chapter_..."
    cells: tuple[str, ...]  # notebook cells, run in order in one shell
    mistake: tuple[str, ...] = ()  # empty: valid code, every cell must succeed.
    # non-empty: the LAST cell is a real device mistake (it must fail
    # with PyTorch's device-mismatch RuntimeError); the tuple lists the
    # user variable names / module paths the explanation should name.
    sim_gap: str = ""  # why the simulated device cannot run it (it runs on CUDA only)


# Why some snippets run on CUDA only: what the simulated device cannot do.
_FUSED_RNN_CELLS = (
    "nn.LSTM/nn.GRU take PyTorch's fused-cell path on a custom device, which has no CPU kernel"
)
_NO_GENERATOR = "torch.Generator(device=...) needs a generator implementation for the device"
_NO_STORAGE = (
    "map_location onto the device restores untyped storages, which the wrapper device has none of"
)
_LAZY_MOVE = "an uninitialized parameter cannot be moved onto a wrapper device"


# Shared pieces of cell text, so that snippets built on the same tutorial agree.

_QUICKSTART_DATA = """\
from torch.utils.data import DataLoader, TensorDataset

training_data = TensorDataset(torch.rand(16, 1, 4, 4), torch.randint(0, 10, (16,)))
test_data = TensorDataset(torch.rand(8, 1, 4, 4), torch.randint(0, 10, (8,)))
batch_size = 4

# Create data loaders.
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)

for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break
"""

_QUICKSTART_MODEL = """\
# Define model
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(4 * 4, 8),
            nn.ReLU(),
            nn.Linear(8, 8),
            nn.ReLU(),
            nn.Linear(8, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits
"""

_QUICKSTART_LOOPS = """\
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)

        # Compute prediction error
        pred = model(X)
        loss = loss_fn(pred, y)

        # Backpropagation
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 2 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f}")
"""

_WORD_LM_MODEL = """\
import math

class RNNModel(nn.Module):
    \"\"\"Container module with an encoder, a recurrent module, and a decoder.\"\"\"

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.init_weights()
        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == 'LSTM':
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        else:
            return weight.new_zeros(self.nlayers, bsz, self.nhid)
"""

_NAMES = """\
words = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia',
         'harper', 'evelyn', 'abigail', 'emily', 'elizabeth', 'mila', 'ella', 'avery',
         'sofia', 'camila', 'aria', 'scarlett', 'victoria', 'madison', 'luna', 'grace',
         'chloe', 'penelope', 'layla', 'riley', 'zoey', 'nora', 'lily', 'eleanor',
         'hannah', 'lillian', 'addison', 'aubrey', 'ellie', 'stella', 'natalie', 'zoe']
chars = sorted(list(set(''.join(words)) | set('abcdefghijklmnopqrstuvwxyz'))) # names.txt has all 26
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
"""

_MAKEMORE_DATASET = """\
block_size = 3 # context length: how many characters do we take to predict the next one?

def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix] # crop and append
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    return X, Y

import random
random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:])
"""

_NANOGPT_DATA = """\
# hyperparameters
batch_size = 4 # how many independent sequences will we process in parallel?
block_size = 8 # what is the maximum context length for predictions?
max_iters = 3
eval_interval = 2
learning_rate = 1e-2
eval_iters = 2
torch.manual_seed(1337)

text = "First Citizen: Before we proceed any further, hear me speak. All: Speak, speak."
# here are all the unique characters that occur in this text
chars = sorted(list(set(text)))
vocab_size = len(chars)
# create a mapping from characters to integers
stoi = { ch:i for i,ch in enumerate(chars) }
itos = { i:ch for i,ch in enumerate(chars) }
encode = lambda s: [stoi[c] for c in s] # encoder: take a string, output a list of integers
decode = lambda l: ''.join([itos[i] for i in l]) # decoder: take a list of integers, output a string

# Train and test splits
data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.8*len(data)) # first 80% will be train, rest val
train_data = data[:n]
val_data = data[n:]
"""

_NANOGPT_GET_BATCH = """\
# data loading
def get_batch(split):
    # generate a small batch of data of inputs x and targets y
    data = train_data if split == 'train' else val_data
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([data[i:i+block_size] for i in ix])
    y = torch.stack([data[i+1:i+block_size+1] for i in ix])
    x, y = x.to(device), y.to(device)
    return x, y

@torch.no_grad()
def estimate_loss():
    out = {}
    model.eval()
    for split in ['train', 'val']:
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split)
            logits, loss = model(X, Y)
            losses[k] = loss.item()
        out[split] = losses.mean()
    model.train()
    return out
"""

_NANOGPT_BIGRAM = """\
# super simple bigram model
class BigramLanguageModel(nn.Module):

    def __init__(self, vocab_size):
        super().__init__()
        # each token directly reads off the logits for the next token from a lookup table
        self.token_embedding_table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, idx, targets=None):

        # idx and targets are both (B,T) tensor of integers
        logits = self.token_embedding_table(idx) # (B,T,C)

        if targets is None:
            loss = None
        else:
            B, T, C = logits.shape
            logits = logits.view(B*T, C)
            targets = targets.view(B*T)
            loss = F.cross_entropy(logits, targets)

        return logits, loss

    def generate(self, idx, max_new_tokens):
        # idx is (B, T) array of indices in the current context
        for _ in range(max_new_tokens):
            # get the predictions
            logits, loss = self(idx)
            # focus only on the last time step
            logits = logits[:, -1, :] # becomes (B, C)
            # apply softmax to get probabilities
            probs = F.softmax(logits, dim=-1) # (B, C)
            # sample from the distribution
            idx_next = torch.multinomial(probs, num_samples=1) # (B, 1)
            # append sampled index to the running sequence
            idx = torch.cat((idx, idx_next), dim=1) # (B, T+1)
        return idx
"""

_D2L_ACCUMULATOR = """\
class Accumulator:
    \"\"\"For accumulating sums over `n` variables.\"\"\"
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]

def accuracy(y_hat, y):
    \"\"\"Compute the number of correct predictions.\"\"\"
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())
"""

_D2L_SYNTHETIC = """\
def synthetic_data(w, b, num_examples):
    \"\"\"Generate y = Xw + b + noise.\"\"\"
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))

true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 20)
"""

_D2L_DROPOUT_LAYER = """\
def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    # In this case, all elements are dropped out
    if dropout == 1:
        return torch.zeros_like(X)
    # In this case, all elements are kept
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)
"""

_D2L_RNN_SCRATCH = """\
import math

vocab_size, num_hiddens = 10, 8

def get_params(vocab_size, num_hiddens, device):
    num_inputs = num_outputs = vocab_size

    def normal(shape):
        return torch.randn(size=shape, device=device) * 0.01

    # Hidden layer parameters
    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens, device=device)
    # Output layer parameters
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs, device=device)
    # Attach gradients
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for param in params:
        param.requires_grad_(True)
    return params

def init_rnn_state(batch_size, num_hiddens, device):
    return (torch.zeros((batch_size, num_hiddens), device=device), )

def rnn(inputs, state, params):
    # Here `inputs` shape: (`num_steps`, `batch_size`, `vocab_size`)
    W_xh, W_hh, b_h, W_hq, b_q = params
    H, = state
    outputs = []
    # Shape of `X`: (`batch_size`, `vocab_size`)
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)

class RNNModelScratch:
    \"\"\"A RNN Model implemented from scratch.\"\"\"
    def __init__(self, vocab_size, num_hiddens, device,
                 get_params, init_state, forward_fn):
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X, state):
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size, device):
        return self.init_state(batch_size, self.num_hiddens, device)
"""


SNIPPETS: tuple[Snippet, ...] = (
    # ------------------------------------------------------------------ pytorch/tutorials
    Snippet(
        name="tutorials_quickstart_train_test",
        source="pytorch/tutorials beginner_source/basics/quickstart_tutorial.py",
        cells=(
            _QUICKSTART_DATA,
            _QUICKSTART_MODEL
            + """
model = NeuralNetwork().to(device)
print(model)
""",
            _QUICKSTART_LOOPS,
            """\
epochs = 2
for t in range(epochs):
    print(f"Epoch {t+1}")
    train(train_dataloader, model, loss_fn, optimizer)
    test(test_dataloader, model, loss_fn)
print("Done!")
""",
            """\
classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

model.eval()
x, y = test_data[0][0], test_data[0][1]
with torch.no_grad():
    x = x.to(device)
    pred = model(x)
    predicted, actual = classes[pred[0].argmax(0)], classes[y]
    print(f'Predicted: "{predicted}", Actual: "{actual}"')
""",
        ),
    ),
    Snippet(
        name="tutorials_quickstart_save_load",
        source="pytorch/tutorials beginner_source/basics/quickstart_tutorial.py (save/load through io.BytesIO)",
        cells=(
            _QUICKSTART_MODEL
            + """
model = NeuralNetwork().to(device)
""",
            """\
import io
buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
print("Saved PyTorch Model State")
""",
            """\
buffer.seek(0)
model = NeuralNetwork().to(device)
model.load_state_dict(torch.load(buffer, weights_only=True))
model.eval()
with torch.no_grad():
    pred = model(torch.rand(1, 4, 4, device=device))
print(pred.argmax(1).item())
""",
        ),
    ),
    Snippet(
        name="tutorials_quickstart_model_left_on_cpu",
        source="pytorch/tutorials beginner_source/basics/quickstart_tutorial.py (forgot .to(device) on the model)",
        cells=(
            _QUICKSTART_DATA,
            """\
model = nn.Sequential(nn.Flatten(), nn.Linear(4 * 4, 8), nn.ReLU(), nn.Linear(8, 10))
""",
            _QUICKSTART_LOOPS,
            """\
train(train_dataloader, model, loss_fn, optimizer)
""",
        ),
        mistake=("X", "model.1.weight"),
    ),
    Snippet(
        name="tutorials_buildmodel_layers_cpu",
        source="pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py (model layers)",
        cells=(
            """\
input_image = torch.rand(3, 4, 4)
print(input_image.size())
flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())
layer1 = nn.Linear(in_features=4 * 4, out_features=20)
hidden1 = layer1(flat_image)
print(hidden1.size())
print(f"Before ReLU: {hidden1}")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")
""",
            """\
seq_modules = nn.Sequential(
    flatten,
    layer1,
    nn.ReLU(),
    nn.Linear(20, 10)
)
input_image = torch.rand(3, 4, 4)
logits = seq_modules(input_image)
softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)
print(pred_probab.sum(1))
""",
        ),
    ),
    Snippet(
        name="tutorials_buildmodel_on_device",
        source="pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py",
        cells=(
            _QUICKSTART_MODEL
            + """
model = NeuralNetwork().to(device)
print(model)
""",
            """\
X = torch.rand(1, 4, 4, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
""",
            """\
print(f"Model structure: {model}")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]}")
""",
        ),
    ),
    Snippet(
        name="tutorials_optimization_loop_cpu",
        source="pytorch/tutorials beginner_source/basics/optimization_tutorial.py",
        cells=(
            _QUICKSTART_DATA,
            _QUICKSTART_MODEL
            + """
model = NeuralNetwork()
learning_rate = 1e-3
batch_size = 4
epochs = 2
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
""",
            """\
def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    # Set the model to training mode - important for batch normalization and dropout layers
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        # Compute prediction and loss
        pred = model(X)
        loss = loss_fn(pred, y)

        # Backpropagation
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 2 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0

    # Evaluating the model with torch.no_grad() ensures that no gradients are computed during test mode
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()

    test_loss /= num_batches
    correct /= size
    print(f"Test Error: Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f}")

for t in range(epochs):
    train_loop(train_dataloader, model, loss_fn, optimizer)
    test_loop(test_dataloader, model, loss_fn)
""",
        ),
    ),
    Snippet(
        name="tutorials_tensorqs_on_device",
        source="pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py",
        cells=(
            """\
data = [[1, 2],[3, 4]]
x_data = torch.tensor(data)
x_ones = torch.ones_like(x_data) # retains the properties of x_data
print(f"Ones Tensor: {x_ones}")
x_rand = torch.rand_like(x_data, dtype=torch.float) # overrides the datatype of x_data
print(f"Random Tensor: {x_rand}")
shape = (2,3,)
rand_tensor = torch.rand(shape)
tensor = torch.rand(3,4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
""",
            """\
# We move our tensor to the current accelerator if available
tensor = tensor.to(device)
print(f"Device tensor is stored on: {tensor.device}")
""",
            """\
tensor = torch.ones(4, 4).to(device)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:,1] = 0
print(tensor)
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)
""",
            """\
# This computes the matrix multiplication between two tensors. y1, y2, y3 will have the same value
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)

# This computes the element-wise product. z1, z2, z3 will have the same value
z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
print(f"{tensor}")
tensor.add_(5)
print(tensor)
""",
        ),
    ),
    Snippet(
        name="tutorials_tensorqs_numpy_bridge",
        source="pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py (bridge with NumPy)",
        cells=(
            """\
import numpy as np
t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")
""",
            """\
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
""",
            """\
t_dev = t.to(device)
back = t_dev.detach().cpu().numpy()
print(back, back.dtype)
""",
        ),
    ),
    Snippet(
        name="tutorials_tensorqs_learner_add",
        source="pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py (a learner's mix-up)",
        cells=(
            """\
t1 = torch.ones(3, 5)
t2 = t1.to(device)
""",
            """\
t1 + t2
""",
        ),
        mistake=("t1", "t2"),
    ),
    Snippet(
        name="tutorials_tensorqs_item_values_across_cells",
        source="pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py (single-element tensors, .item())",
        cells=(
            """\
t1 = torch.ones(3, 5)
t2 = t1.to(device)
""",
            """\
n = t2.sum().item()
rows = t2.size(0)
k = t2.numel()
first_row = t2[0].tolist()
print(n, rows, k, first_row)
""",
            """\
print(t1 * n)
print(t1[:rows] / k)
print(torch.tensor(first_row) + t1[0])
scaled = t2 * t2.sum()
print(scaled.mean().item() == n)
""",
        ),
    ),
    Snippet(
        name="tutorials_autogradqs_cpu",
        source="pytorch/tutorials beginner_source/basics/autogradqs_tutorial.py",
        cells=(
            """\
x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w)+b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
""",
            """\
loss.backward()
print(w.grad)
print(b.grad)
""",
            """\
z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)
""",
            """\
inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call {inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"Second call {inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"Call after zeroing gradients {inp.grad}")
""",
        ),
    ),
    Snippet(
        name="tutorials_polynomial_tensor_device",
        source="pytorch/tutorials beginner_source/examples_tensor/polynomial_tensor.py (device = cuda:0 line uncommented)",
        cells=(
            """\
import math

dtype = torch.float

# Create random input and output data
x = torch.linspace(-math.pi, math.pi, 200, device=device, dtype=dtype)
y = torch.sin(x)

# Randomly initialize weights
a = torch.randn((), device=device, dtype=dtype)
b = torch.randn((), device=device, dtype=dtype)
c = torch.randn((), device=device, dtype=dtype)
d = torch.randn((), device=device, dtype=dtype)
""",
            """\
learning_rate = 1e-6
for t in range(3):
    # Forward pass: compute predicted y
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss
    loss = (y_pred - y).pow(2).sum().item()
    print(t, loss)

    # Backprop to compute gradients of a, b, c, d with respect to loss
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()

    # Update weights using gradient descent
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
""",
        ),
    ),
    Snippet(
        name="tutorials_polynomial_autograd_cpu_scalar_weights",
        source="pytorch/tutorials beginner_source/examples_autograd/polynomial_autograd.py (x on the device, 0-dim weights left on the CPU)",
        cells=(
            """\
import math

dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 200, dtype=dtype, device=device)
y = torch.sin(x)

# Create random Tensors for weights. For a third order polynomial, we need
# 4 weights: y = a + b x + c x^2 + d x^3
a = torch.randn((), dtype=dtype, requires_grad=True)
b = torch.randn((), dtype=dtype, requires_grad=True)
c = torch.randn((), dtype=dtype, requires_grad=True)
d = torch.randn((), dtype=dtype, requires_grad=True)
""",
            """\
learning_rate = 1e-6
for t in range(3):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
""",
        ),
    ),
    Snippet(
        name="tutorials_nn_tutorial_from_scratch_cpu",
        source="pytorch/tutorials beginner_source/nn_tutorial.py (neural net from scratch)",
        cells=(
            """\
import math
n, c = 16, 12
x_train = torch.randn(n, c)
y_train = torch.randint(0, 10, (n,))

weights = torch.randn(c, 10) / math.sqrt(c)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)

def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)

def model(xb):
    return log_softmax(xb @ weights + bias)

def nll(input, target):
    return -input[range(target.shape[0]), target].mean()

loss_func = nll

def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()
""",
            """\
bs = 4  # batch size
xb = x_train[0:bs]  # a mini-batch from x
preds = model(xb)  # predictions
print(preds[0], preds.shape)
yb = y_train[0:bs]
print(loss_func(preds, yb))
print(accuracy(preds, yb))
""",
            """\
lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

print(loss_func(model(xb), yb), accuracy(model(xb), yb))
""",
        ),
    ),
    Snippet(
        name="tutorials_nn_tutorial_weights_left_on_cpu",
        source="pytorch/tutorials beginner_source/nn_tutorial.py (batch moved to the GPU, hand-made weights not)",
        cells=(
            """\
import math
n, c = 16, 12
x_train = torch.randn(n, c)
y_train = torch.randint(0, 10, (n,))

weights = torch.randn(c, 10) / math.sqrt(c)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)

def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)

def model(xb):
    return log_softmax(xb @ weights + bias)
""",
            """\
bs = 4
xb = x_train[0:bs].to(device)
preds = model(xb)
""",
        ),
        mistake=("xb", "weights"),
    ),
    Snippet(
        name="tutorials_nn_tutorial_using_gpu_fit",
        source="pytorch/tutorials beginner_source/nn_tutorial.py (Using your GPU)",
        cells=(
            """\
import numpy as np
from torch import optim
from torch.utils.data import DataLoader, TensorDataset

x_train, y_train = torch.rand(16, 64), torch.randint(0, 10, (16,))
x_valid, y_valid = torch.rand(8, 64), torch.randint(0, 10, (8,))
train_ds = TensorDataset(x_train, y_train)
valid_ds = TensorDataset(x_valid, y_valid)
bs = 4
lr = 0.1
epochs = 2
loss_func = F.cross_entropy

def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )

def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)

def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

        print(epoch, val_loss)
""",
            """\
dev = device

def preprocess(x, y):
    return x.view(-1, 1, 8, 8).to(dev), y.to(dev)

class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))

train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
train_dl = WrappedDataLoader(train_dl, preprocess)
valid_dl = WrappedDataLoader(valid_dl, preprocess)
""",
            """\
model = nn.Sequential(
    nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(4, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
)
model.to(dev)
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
""",
            """\
fit(epochs, model, loss_func, opt, train_dl, valid_dl)
""",
        ),
    ),
    Snippet(
        name="tutorials_cifar10_optimizer_before_move",
        source="pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py (optimizer built on the CPU, then net.to(device))",
        cells=(
            """\
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

trainset = TensorDataset(torch.rand(8, 3, 8, 8), torch.randint(0, 10, (8,)))
trainloader = DataLoader(trainset, batch_size=4, shuffle=True)
testset = TensorDataset(torch.rand(8, 3, 8, 8), torch.randint(0, 10, (8,)))
testloader = DataLoader(testset, batch_size=4, shuffle=False)
classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 6, 2)
        self.fc1 = nn.Linear(6 * 1 * 1, 12)
        self.fc2 = nn.Linear(12, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1) # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return x

net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
""",
            """\
# Training on GPU
print(device)
net.to(device)
before = net.fc2.weight.detach().clone()
""",
            """\
for epoch in range(2):  # loop over the dataset multiple times

    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        # get the inputs; data is a list of [inputs, labels]
        inputs, labels = data[0].to(device), data[1].to(device)

        # zero the parameter gradients
        optimizer.zero_grad()

        # forward + backward + optimize
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        # print statistics
        running_loss += loss.item()
    print(f'[{epoch + 1}] loss: {running_loss / 2:.3f}')

print('Finished Training')
assert not torch.equal(before, net.fc2.weight.detach()), "the optimizer did not update the moved net"
""",
            """\
correct = 0
total = 0
# since we're not training, we don't need to calculate the gradients for our outputs
with torch.no_grad():
    for data in testloader:
        images, labels = data[0].to(device), data[1].to(device)
        # calculate outputs by running images through the network
        outputs = net(images)
        # the class with the highest energy is what we choose as prediction
        _, predicted = torch.max(outputs, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

print(f'Accuracy of the network on the test images: {100 * correct // total} %')

# prepare to count predictions for each class
correct_pred = {classname: 0 for classname in classes}
total_pred = {classname: 0 for classname in classes}

with torch.no_grad():
    for data in testloader:
        images, labels = data[0].to(device), data[1].to(device)
        outputs = net(images)
        _, predictions = torch.max(outputs, 1)
        # collect the correct predictions for each class
        for label, prediction in zip(labels, predictions):
            if label == prediction:
                correct_pred[classes[label]] += 1
            total_pred[classes[label]] += 1
print(total_pred)
""",
        ),
    ),
    Snippet(
        name="tutorials_blitz_neural_networks_cpu",
        source="pytorch/tutorials beginner_source/blitz/neural_networks_tutorial.py",
        cells=(
            """\
class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output

net = Net()
print(net)
params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight
""",
            """\
input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)
net.zero_grad()
out.backward(torch.randn(1, 10))
""",
            """\
output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)
print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear

net.zero_grad()     # zeroes the gradient buffers of all parameters
print(net.conv1.bias.grad)
loss.backward()
print(net.conv1.bias.grad)

learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)
""",
            """\
import torch.optim as optim

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
""",
        ),
    ),
    Snippet(
        name="tutorials_blitz_autograd_on_device",
        source="pytorch/tutorials beginner_source/blitz/autograd_tutorial.py (tensors created on the device)",
        cells=(
            """\
a = torch.tensor([2., 3.], requires_grad=True, device=device)
b = torch.tensor([6., 4.], requires_grad=True, device=device)
Q = 3*a**3 - b**2
external_grad = torch.tensor([1., 1.], device=device)
Q.backward(gradient=external_grad)
""",
            """\
# check if collected gradients are correct
print(9*a**2 == a.grad)
print(-2*b == b.grad)
""",
            """\
x = torch.rand(5, 5, device=device)
y = torch.rand(5, 5, device=device)
z = torch.rand((5, 5), requires_grad=True, device=device)

a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")
""",
        ),
    ),
    Snippet(
        name="tutorials_data_custom_dataset_cpu",
        source="pytorch/tutorials beginner_source/basics/data_tutorial.py (custom Dataset, DataLoader)",
        cells=(
            """\
from torch.utils.data import Dataset, DataLoader

class CustomImageDataset(Dataset):
    def __init__(self, n, transform=None, target_transform=None):
        self.images = torch.rand(n, 1, 4, 4)
        self.img_labels = torch.randint(0, 10, (n,)).tolist()
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = self.images[idx]
        label = self.img_labels[idx]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label

target_transform = lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
training_data = CustomImageDataset(8, target_transform=target_transform)
train_dataloader = DataLoader(training_data, batch_size=4, shuffle=True)
""",
            """\
# Display image and label.
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
img = train_features[0].squeeze()
label = train_labels[0]
print(f"Label: {label}")
""",
        ),
    ),
    Snippet(
        name="tutorials_introyt_training_loop",
        source="pytorch/tutorials beginner_source/introyt/trainingyt.py (moved to the device)",
        cells=(
            """\
from torch.utils.data import DataLoader, TensorDataset
training_set = TensorDataset(torch.rand(12, 1, 6, 6), torch.randint(0, 10, (12,)))
validation_set = TensorDataset(torch.rand(8, 1, 6, 6), torch.randint(0, 10, (8,)))
training_loader = DataLoader(training_set, batch_size=4, shuffle=True)
validation_loader = DataLoader(validation_set, batch_size=4, shuffle=False)

class GarmentClassifier(nn.Module):
    def __init__(self):
        super(GarmentClassifier, self).__init__()
        self.conv1 = nn.Conv2d(1, 3, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(3 * 2 * 2, 12)
        self.fc2 = nn.Linear(12, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.view(-1, 3 * 2 * 2)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return x

model = GarmentClassifier().to(device)
loss_fn = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
""",
            """\
def train_one_epoch(epoch_index):
    running_loss = 0.
    last_loss = 0.

    for i, data in enumerate(training_loader):
        # Every data instance is an input + label pair
        inputs, labels = data
        inputs, labels = inputs.to(device), labels.to(device)

        # Zero your gradients for every batch!
        optimizer.zero_grad()

        # Make predictions for this batch
        outputs = model(inputs)

        # Compute the loss and its gradients
        loss = loss_fn(outputs, labels)
        loss.backward()

        # Adjust learning weights
        optimizer.step()

        # Gather data and report
        running_loss += loss.item()
        if i % 2 == 1:
            last_loss = running_loss / 2 # loss per batch
            print('  batch {} loss: {}'.format(i + 1, last_loss))
            running_loss = 0.

    return last_loss
""",
            """\
epoch_number = 0
EPOCHS = 2
best_vloss = 1_000_000.

for epoch in range(EPOCHS):
    print('EPOCH {}:'.format(epoch_number + 1))

    # Make sure gradient tracking is on, and do a pass over the data
    model.train(True)
    avg_loss = train_one_epoch(epoch_number)

    running_vloss = 0.0
    # Set the model to evaluation mode, disabling dropout and using population
    # statistics for batch normalization.
    model.eval()

    # Disable gradient computation and reduce memory consumption.
    with torch.no_grad():
        for i, vdata in enumerate(validation_loader):
            vinputs, vlabels = vdata
            vinputs, vlabels = vinputs.to(device), vlabels.to(device)
            voutputs = model(vinputs)
            vloss = loss_fn(voutputs, vlabels)
            running_vloss += vloss

    avg_vloss = running_vloss / (i + 1)
    print('LOSS train {} valid {}'.format(avg_loss, avg_vloss))

    # Track best performance
    if avg_vloss < best_vloss:
        best_vloss = avg_vloss
        best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    epoch_number += 1
""",
        ),
    ),
    Snippet(
        name="tutorials_transfer_learning_train_model",
        source="pytorch/tutorials beginner_source/transfer_learning_tutorial.py (train_model, finetuning the convnet)",
        cells=(
            """\
import copy
import time
import torch.optim as optim
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset

image_datasets = {x: TensorDataset(torch.rand(8, 3, 8, 8), torch.randint(0, 2, (8,)))
                  for x in ['train', 'val']}
dataloaders = {x: DataLoader(image_datasets[x], batch_size=4, shuffle=True)
               for x in ['train', 'val']}
dataset_sizes = {x: len(image_datasets[x]) for x in ['train', 'val']}
class_names = ['ants', 'bees']
""",
            """\
def train_model(model, criterion, optimizer, scheduler, num_epochs=25):
    since = time.time()

    best_model_wts = copy.deepcopy(model.state_dict())
    best_acc = 0.0

    for epoch in range(num_epochs):
        print(f'Epoch {epoch}/{num_epochs - 1}')

        # Each epoch has a training and validation phase
        for phase in ['train', 'val']:
            if phase == 'train':
                model.train()  # Set model to training mode
            else:
                model.eval()   # Set model to evaluate mode

            running_loss = 0.0
            running_corrects = 0

            # Iterate over data.
            for inputs, labels in dataloaders[phase]:
                inputs = inputs.to(device)
                labels = labels.to(device)

                # zero the parameter gradients
                optimizer.zero_grad()

                # forward
                # track history if only in train
                with torch.set_grad_enabled(phase == 'train'):
                    outputs = model(inputs)
                    _, preds = torch.max(outputs, 1)
                    loss = criterion(outputs, labels)

                    # backward + optimize only if in training phase
                    if phase == 'train':
                        loss.backward()
                        optimizer.step()

                # statistics
                running_loss += loss.item() * inputs.size(0)
                running_corrects += torch.sum(preds == labels.data)
            if phase == 'train':
                scheduler.step()

            epoch_loss = running_loss / dataset_sizes[phase]
            epoch_acc = running_corrects.double() / dataset_sizes[phase]

            print(f'{phase} Loss: {epoch_loss:.4f} Acc: {epoch_acc:.4f}')

            # deep copy the model
            if phase == 'val' and epoch_acc > best_acc:
                best_acc = epoch_acc
                best_model_wts = copy.deepcopy(model.state_dict())

    time_elapsed = time.time() - since
    print(f'Best val Acc: {best_acc:4f}')

    # load best model weights
    model.load_state_dict(best_model_wts)
    return model
""",
            """\
class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(4, 1000)

    def forward(self, x):
        return self.fc(self.features(x))

model_ft = TinyResNet()
num_ftrs = model_ft.fc.in_features
# Here the size of each output sample is set to 2.
model_ft.fc = nn.Linear(num_ftrs, 2)

model_ft = model_ft.to(device)

criterion = nn.CrossEntropyLoss()

# Observe that all parameters are being optimized
optimizer_ft = optim.SGD(model_ft.parameters(), lr=0.001, momentum=0.9)

# Decay LR by a factor of 0.1 every 7 epochs
exp_lr_scheduler = lr_scheduler.StepLR(optimizer_ft, step_size=7, gamma=0.1)
""",
            """\
model_ft = train_model(model_ft, criterion, optimizer_ft, exp_lr_scheduler, num_epochs=2)
""",
            """\
model_conv = TinyResNet()
for param in model_conv.parameters():
    param.requires_grad = False

# Parameters of newly constructed modules have requires_grad=True by default
num_ftrs = model_conv.fc.in_features
model_conv.fc = nn.Linear(num_ftrs, 2)

model_conv = model_conv.to(device)

# Observe that only parameters of final layer are being optimized as
# opposed to before.
optimizer_conv = optim.SGD(model_conv.fc.parameters(), lr=0.001, momentum=0.9)
exp_lr_scheduler = lr_scheduler.StepLR(optimizer_conv, step_size=7, gamma=0.1)
model_conv = train_model(model_conv, criterion, optimizer_conv, exp_lr_scheduler, num_epochs=1)
""",
        ),
    ),
    Snippet(
        name="tutorials_seq2seq_gru_attention_free",
        source="pytorch/tutorials intermediate_source/seq2seq_translation_tutorial.py (EncoderRNN, DecoderRNN, train_epoch)",
        cells=(
            """\
from torch import optim
from torch.utils.data import TensorDataset, DataLoader, RandomSampler

SOS_token = 0
EOS_token = 1
MAX_LENGTH = 5

class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super(EncoderRNN, self).__init__()
        self.hidden_size = hidden_size

        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden

class DecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size):
        super(DecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long, device=device).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []

        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden  = self.forward_step(decoder_input, decoder_hidden)
            decoder_outputs.append(decoder_output)

            if target_tensor is not None:
                # Teacher forcing: Feed the target as the next input
                decoder_input = target_tensor[:, i].unsqueeze(1) # Teacher forcing
            else:
                # Without teacher forcing: use its own predictions as the next input
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()  # detach from history as input

        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        return decoder_outputs, decoder_hidden, None # We return `None` for consistency in the training loop

    def forward_step(self, input, hidden):
        output = self.embedding(input)
        output = F.relu(output)
        output, hidden = self.gru(output, hidden)
        output = self.out(output)
        return output, hidden
""",
            """\
def get_dataloader(batch_size, n=8, n_words=7):
    input_ids = torch.randint(2, n_words, (n, MAX_LENGTH)).numpy()
    target_ids = torch.randint(2, n_words, (n, MAX_LENGTH)).numpy()
    train_data = TensorDataset(torch.LongTensor(input_ids).to(device),
                               torch.LongTensor(target_ids).to(device))

    train_sampler = RandomSampler(train_data)
    train_dataloader = DataLoader(train_data, sampler=train_sampler, batch_size=batch_size)
    return train_dataloader

def train_epoch(dataloader, encoder, decoder, encoder_optimizer,
          decoder_optimizer, criterion):

    total_loss = 0
    for data in dataloader:
        input_tensor, target_tensor = data

        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()

        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)

        loss = criterion(
            decoder_outputs.view(-1, decoder_outputs.size(-1)),
            target_tensor.view(-1)
        )
        loss.backward()

        encoder_optimizer.step()
        decoder_optimizer.step()

        total_loss += loss.item()

    return total_loss / len(dataloader)

def train(train_dataloader, encoder, decoder, n_epochs, learning_rate=0.001):
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=learning_rate)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=learning_rate)
    criterion = nn.NLLLoss()

    for epoch in range(1, n_epochs + 1):
        loss = train_epoch(train_dataloader, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion)
        print(epoch, loss)
""",
            """\
hidden_size = 8
batch_size = 4
n_words = 7
train_dataloader = get_dataloader(batch_size)

encoder = EncoderRNN(n_words, hidden_size).to(device)
decoder = DecoderRNN(hidden_size, n_words).to(device)

train(train_dataloader, encoder, decoder, 2)
""",
            """\
def evaluate(encoder, decoder, indexes):
    with torch.no_grad():
        input_tensor = torch.tensor(indexes, dtype=torch.long, device=device).view(1, -1)

        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, decoder_hidden, decoder_attn = decoder(encoder_outputs, encoder_hidden)

        _, topi = decoder_outputs.topk(1)
        decoded_ids = topi.squeeze()

        decoded_words = []
        for idx in decoded_ids:
            if idx.item() == EOS_token:
                decoded_words.append('<EOS>')
                break
            decoded_words.append(idx.item())
    return decoded_words

encoder.eval()
decoder.eval()
print(evaluate(encoder, decoder, [2, 3, 4, EOS_token]))
""",
        ),
        sim_gap=_FUSED_RNN_CELLS,
    ),
    Snippet(
        name="tutorials_sequence_models_lstm_cpu",
        source="pytorch/tutorials beginner_source/nlp/sequence_models_tutorial.py (LSTM in PyTorch)",
        cells=(
            """\
torch.manual_seed(1)
lstm = nn.LSTM(3, 3)  # Input dim is 3, output dim is 3
inputs = [torch.randn(1, 3) for _ in range(5)]  # make a sequence of length 5

# initialize the hidden state.
hidden = (torch.randn(1, 1, 3),
          torch.randn(1, 1, 3))
for i in inputs:
    # Step through the sequence one element at a time.
    # after each step, hidden contains the hidden state.
    out, hidden = lstm(i.view(1, 1, -1), hidden)
""",
            """\
inputs = torch.cat(inputs).view(len(inputs), 1, -1)
hidden = (torch.randn(1, 1, 3), torch.randn(1, 1, 3))  # clean out hidden state
out, hidden = lstm(inputs, hidden)
print(out)
print(hidden)
""",
        ),
    ),
    Snippet(
        name="tutorials_lstm_tagger_on_device",
        source="pytorch/tutorials beginner_source/nlp/sequence_models_tutorial.py (LSTMTagger, moved to the device)",
        cells=(
            """\
import torch.optim as optim

def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)

training_data = [
    # Tags are: DET - determiner; NN - noun; V - verb
    # For example, the word "The" is a determiner
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])
]
word_to_ix = {}
# For each words-list (sentence) and tags-list in each tuple of training_data
for sent, tags in training_data:
    for word in sent:
        if word not in word_to_ix:  # word has not been assigned an index yet
            word_to_ix[word] = len(word_to_ix)  # Assign each word with a unique index
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}  # Assign each tag with a unique index

EMBEDDING_DIM = 6
HIDDEN_DIM = 6
""",
            """\
class LSTMTagger(nn.Module):

    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim

        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)

        # The LSTM takes word embeddings as inputs, and outputs hidden states
        # with dimensionality hidden_dim.
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)

        # The linear layer that maps from hidden state space to tag space
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores

model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix)).to(device)
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
""",
            """\
# See what the scores are before training
with torch.no_grad():
    inputs = prepare_sequence(training_data[0][0], word_to_ix).to(device)
    tag_scores = model(inputs)
    print(tag_scores)

for epoch in range(3):
    for sentence, tags in training_data:
        # Step 1. Remember that Pytorch accumulates gradients.
        model.zero_grad()

        # Step 2. Get our inputs ready for the network, that is, turn them into
        # Tensors of word indices.
        sentence_in = prepare_sequence(sentence, word_to_ix).to(device)
        targets = prepare_sequence(tags, tag_to_ix).to(device)

        # Step 3. Run our forward pass.
        tag_scores = model(sentence_in)

        # Step 4. Compute the loss, gradients, and update the parameters by
        #  calling optimizer.step()
        loss = loss_function(tag_scores, targets)
        loss.backward()
        optimizer.step()
""",
        ),
        sim_gap=_FUSED_RNN_CELLS,
    ),
    Snippet(
        name="tutorials_word_embeddings_ngram_cpu",
        source="pytorch/tutorials beginner_source/nlp/word_embeddings_tutorial.py (N-Gram language model)",
        cells=(
            """\
import torch.optim as optim
CONTEXT_SIZE = 2
EMBEDDING_DIM = 4
test_sentence = \"\"\"When forty winters shall besiege thy brow,
And dig deep trenches in thy beauty's field,
Thy youth's proud livery so gazed on now,
Will be a totter'd weed of small worth held:
Proving his beauty by succession thine!\"\"\".split()
ngrams = [
    (
        [test_sentence[i - j - 1] for j in range(CONTEXT_SIZE)],
        test_sentence[i]
    )
    for i in range(CONTEXT_SIZE, len(test_sentence))
]
vocab = set(test_sentence)
word_to_ix = {word: i for i, word in enumerate(vocab)}
""",
            """\
class NGramLanguageModeler(nn.Module):

    def __init__(self, vocab_size, embedding_dim, context_size):
        super(NGramLanguageModeler, self).__init__()
        self.embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.linear1 = nn.Linear(context_size * embedding_dim, 16)
        self.linear2 = nn.Linear(16, vocab_size)

    def forward(self, inputs):
        embeds = self.embeddings(inputs).view((1, -1))
        out = F.relu(self.linear1(embeds))
        out = self.linear2(out)
        log_probs = F.log_softmax(out, dim=1)
        return log_probs

losses = []
loss_function = nn.NLLLoss()
model = NGramLanguageModeler(len(vocab), EMBEDDING_DIM, CONTEXT_SIZE)
optimizer = optim.SGD(model.parameters(), lr=0.001)
""",
            """\
for epoch in range(2):
    total_loss = 0
    for context, target in ngrams:
        context_idxs = torch.tensor([word_to_ix[w] for w in context], dtype=torch.long)
        model.zero_grad()
        log_probs = model(context_idxs)
        loss = loss_function(log_probs, torch.tensor([word_to_ix[target]], dtype=torch.long))
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    losses.append(total_loss)
print(losses)  # The loss decreased every iteration over the training data!

# To get the embedding of a particular word, e.g. "beauty"
print(model.embeddings.weight[word_to_ix["beauty"]])
""",
        ),
    ),
    Snippet(
        name="tutorials_bow_classifier_cpu",
        source="pytorch/tutorials beginner_source/nlp/deep_learning_tutorial.py (BoWClassifier)",
        cells=(
            """\
data = [("me gusta comer en la cafeteria".split(), "SPANISH"),
        ("Give it to me".split(), "ENGLISH"),
        ("No creo que sea una buena idea".split(), "SPANISH"),
        ("No it is not a good idea to get lost at sea".split(), "ENGLISH")]
test_data = [("Yo creo que si".split(), "SPANISH"),
             ("it is lost on me".split(), "ENGLISH")]

word_to_ix = {}
for sent, _ in data + test_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
VOCAB_SIZE = len(word_to_ix)
NUM_LABELS = 2

class BoWClassifier(nn.Module):  # inheriting from nn.Module!

    def __init__(self, num_labels, vocab_size):
        super(BoWClassifier, self).__init__()
        self.linear = nn.Linear(vocab_size, num_labels)

    def forward(self, bow_vec):
        return F.log_softmax(self.linear(bow_vec), dim=1)

def make_bow_vector(sentence, word_to_ix):
    vec = torch.zeros(len(word_to_ix))
    for word in sentence:
        vec[word_to_ix[word]] += 1
    return vec.view(1, -1)

def make_target(label, label_to_ix):
    return torch.LongTensor([label_to_ix[label]])

model = BoWClassifier(NUM_LABELS, VOCAB_SIZE)
for param in model.parameters():
    print(param)
""",
            """\
label_to_ix = {"SPANISH": 0, "ENGLISH": 1}
loss_function = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(3):
    for instance, label in data:
        model.zero_grad()
        bow_vec = make_bow_vector(instance, word_to_ix)
        target = make_target(label, label_to_ix)
        log_probs = model(bow_vec)
        loss = loss_function(log_probs, target)
        loss.backward()
        optimizer.step()

with torch.no_grad():
    for instance, label in test_data:
        bow_vec = make_bow_vector(instance, word_to_ix)
        log_probs = model(bow_vec)
        print(log_probs)

# Index corresponding to Spanish goes up, English goes down!
print(next(model.parameters())[:, word_to_ix["creo"]])
""",
        ),
    ),
    Snippet(
        name="tutorials_char_rnn_set_default_device",
        source="pytorch/tutorials intermediate_source/char_rnn_classification_tutorial.py (torch.set_default_device(device))",
        cells=(
            """\
import string
import time

# Check if CUDA is available
torch.set_default_device(device)
print(f"Using device = {torch.get_default_device()}")

allowed_characters = string.ascii_letters + " .,;'" + "_"
n_letters = len(allowed_characters)

def letterToIndex(letter):
    # return our out-of-vocabulary character if we encounter a letter unknown to our model
    if letter not in allowed_characters:
        return allowed_characters.find("_")
    else:
        return allowed_characters.find(letter)

def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor

print(f"The name 'Ahn' becomes {lineToTensor('Ahn')}")
""",
            """\
alldata = [("Ahn", "Korean"), ("Schmidt", "German"), ("Rossi", "Italian"), ("Nguyen", "Vietnamese"),
           ("Kim", "Korean"), ("Bauer", "German"), ("Russo", "Italian"), ("Tran", "Vietnamese")]
labels_uniq = sorted(set(label for _, label in alldata))

class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(CharRNN, self).__init__()

        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        output = self.softmax(output)

        return output

n_hidden = 8
rnn = CharRNN(n_letters, n_hidden, len(labels_uniq))
print(rnn)
""",
            """\
def label_from_output(output, output_labels):
    top_n, top_i = output.topk(1)
    label_i = top_i[0].item()
    return output_labels[label_i], label_i

input = lineToTensor('Albert')
output = rnn(input) #this is equivalent to ``output = rnn.forward(input)``
print(output)
print(label_from_output(output, labels_uniq))
""",
            """\
def train(rnn, training_data, n_epoch = 2, n_batch_size = 4, learning_rate = 0.2, criterion = nn.NLLLoss()):
    # Keep track of losses for plotting
    current_loss = 0
    all_losses = []
    rnn.train()
    optimizer = torch.optim.SGD(rnn.parameters(), lr=learning_rate)

    start = time.time()
    print(f"training on data set with n = {len(training_data)}")

    for iter in range(1, n_epoch + 1):
        rnn.zero_grad() # clear the gradients

        # create some minibatches
        # we cannot use dataloaders because each of our names is a different length
        batches = list(range(len(training_data)))
        random.shuffle(batches)
        batches = [batches[i:i + n_batch_size] for i in range(0, len(batches), n_batch_size)]

        for idx, batch in enumerate(batches):
            batch_loss = 0
            for i in batch: #for each example in this batch
                text, label = training_data[i]
                label_tensor = torch.tensor([labels_uniq.index(label)], dtype=torch.long)
                text_tensor = lineToTensor(text)
                output = rnn.forward(text_tensor)
                loss = criterion(output, label_tensor)
                batch_loss += loss

            # optimize parameters
            batch_loss.backward()
            nn.utils.clip_grad_norm_(rnn.parameters(), 3)
            optimizer.step()
            optimizer.zero_grad()

            current_loss += batch_loss.item() / len(batch)

        all_losses.append(current_loss / len(batches) )
        current_loss = 0

    return all_losses

import random
all_losses = train(rnn, alldata)
print(all_losses)
""",
            """\
torch.set_default_device('cpu')
""",
        ),
    ),
    Snippet(
        name="tutorials_char_rnn_random_split_generator",
        source="pytorch/tutorials intermediate_source/char_rnn_classification_tutorial.py (random_split with a device generator)",
        cells=(
            """\
torch.set_default_device(device)
alldata = list(range(20))
train_set, test_set = torch.utils.data.random_split(alldata, [.85, .15], generator=torch.Generator(device=device).manual_seed(2024))
print(f"train examples = {len(train_set)}, validation examples = {len(test_set)}")
""",
            """\
torch.set_default_device('cpu')
""",
        ),
        sim_gap=_NO_GENERATOR,
    ),
    Snippet(
        name="tutorials_save_load_general_checkpoint",
        source="pytorch/tutorials recipes_source/recipes/saving_and_loading_a_general_checkpoint.py (on the device, io.BytesIO)",
        cells=(
            """\
import io
import torch.optim as optim

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(4 * 3 * 3, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.view(-1, 4 * 3 * 3)
        return self.fc1(x)

net = Net().to(device)
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
loss = F.cross_entropy(net(torch.rand(4, 3, 8, 8, device=device)), torch.randint(0, 10, (4,), device=device))
loss.backward()
optimizer.step()
""",
            """\
# Additional information
EPOCH = 5
PATH = io.BytesIO()
LOSS = 0.4

torch.save({
            'epoch': EPOCH,
            'model_state_dict': net.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(),
            'loss': LOSS,
            }, PATH)
""",
            """\
model = Net().to(device)
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

PATH.seek(0)
checkpoint = torch.load(PATH, map_location=device, weights_only=True)
model.load_state_dict(checkpoint['model_state_dict'])
optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']

model.eval()
# - or -
model.train()
out = model(torch.rand(4, 3, 8, 8, device=device))
F.cross_entropy(out, torch.randint(0, 10, (4,), device=device)).backward()
optimizer.step()
""",
        ),
        sim_gap=_NO_STORAGE,
    ),
    Snippet(
        name="tutorials_save_load_across_devices",
        source="pytorch/tutorials recipes_source/recipes/save_load_across_devices.py",
        cells=(
            """\
import io

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.fc1 = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = x.view(-1, 4 * 6 * 6)
        return self.fc1(x)

net = Net()
print(net)
""",
            """\
# Save on CPU, Load on GPU
PATH = io.BytesIO()
torch.save(net.state_dict(), PATH)

PATH.seek(0)
model = Net()
model.load_state_dict(torch.load(PATH, map_location=device, weights_only=True))
model.to(device)
print(model(torch.rand(1, 3, 8, 8, device=device)).shape)
""",
            """\
# Save on GPU, Load on CPU
PATH = io.BytesIO()
torch.save(model.state_dict(), PATH)

PATH.seek(0)
cpu_model = Net()
cpu_model.load_state_dict(torch.load(PATH, map_location=torch.device('cpu'), weights_only=True))
print(cpu_model(torch.rand(1, 3, 8, 8)).shape)
""",
            """\
# Save on GPU, Load on GPU
PATH.seek(0)
model = Net()
model.load_state_dict(torch.load(PATH, weights_only=True))
model.to(device)
input = torch.rand(1, 3, 8, 8).to(device)
print(model(input).shape)
""",
        ),
        sim_gap=_NO_STORAGE,
    ),
    Snippet(
        name="tutorials_load_cpu_state_dict_after_move",
        source="pytorch/tutorials recipes_source/recipes/save_load_across_devices.py (load_state_dict after model.to(device), no file)",
        cells=(
            """\
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(6, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))

cpu_net = Net()
state = cpu_net.state_dict()
""",
            """\
model = Net().to(device)
model.load_state_dict(state)
print(model.fc1.weight.device, model.bn.running_mean.device)
model.eval()
cpu_net.eval()
x = torch.randn(4, 6)
with torch.no_grad():
    out = model(x.to(device))
    print(torch.allclose(out.cpu(), cpu_net(x), atol=1e-6))
""",
        ),
    ),
    Snippet(
        name="tutorials_swap_tensors",
        source="pytorch/tutorials recipes_source/recipes/swap_tensors.py",
        cells=(
            """\
t1 = torch.arange(2)
t2 = torch.arange(3)
print(f"Before swapping, t1: {t1}, t2: {t2}")
torch.utils.swap_tensors(t1, t2)
print(f"After swapping, t1: {t1}, t2: {t2}")
""",
            """\
a = torch.randn(3).to(device)
b = torch.randn(3)
torch.utils.swap_tensors(a, b)
print(a.device, b.device)
print(a + 1, b * 2)
""",
        ),
    ),
    Snippet(
        name="tutorials_swap_module_params_on_conversion",
        source="pytorch/tutorials recipes_source/recipes/swap_tensors.py (torch.__future__.set_swap_module_params_on_conversion)",
        cells=(
            """\
m = nn.Linear(3, 5)
weight = m.weight
print(f"Before: id(m.weight)={id(m.weight)}, id(m.bias)={id(m.bias)}")
torch.__future__.set_swap_module_params_on_conversion(True)
m.to(device)
print(f"After: id(m.weight)={id(m.weight)}, id(m.bias)={id(m.bias)}")
assert m.weight is weight and weight.device == m.weight.device
""",
            """\
out = m(torch.randn(2, 3, device=device))
out.sum().backward()
print(weight.grad.shape)
""",
            """\
torch.__future__.set_swap_module_params_on_conversion(False)
""",
        ),
    ),
    Snippet(
        name="tutorials_transformer_lm_deepcopy_best_model",
        source="pytorch/tutorials beginner_source/transformer_tutorial.py (PositionalEncoding buffer, clip_grad_norm_, copy.deepcopy(model))",
        cells=(
            """\
import copy
import math
import time
from torch.nn import TransformerEncoder, TransformerEncoderLayer

class PositionalEncoding(nn.Module):

    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)

        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x):
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)

class TransformerModel(nn.Module):

    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.5):
        super().__init__()
        self.model_type = 'Transformer'
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src, src_mask=None):
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, src_mask)
        output = self.linear(output)
        return output
""",
            """\
def batchify(data, bsz):
    seq_len = data.size(0) // bsz
    data = data[:seq_len * bsz]
    data = data.view(bsz, seq_len).t().contiguous()
    return data.to(device)

ntokens = 12
train_data = batchify(torch.randint(0, ntokens, (48,)), 4)  # shape ``[seq_len, batch_size]``
val_data = batchify(torch.randint(0, ntokens, (24,)), 2)
bptt = 5

def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i+seq_len]
    target = source[i+1:i+1+seq_len].reshape(-1)
    return data, target

model = TransformerModel(ntokens, 8, 2, 16, 1, 0.2).to(device)
criterion = nn.CrossEntropyLoss()
lr = 5.0  # learning rate
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
""",
            """\
def train(model):
    model.train()  # turn on train mode
    total_loss = 0.
    start_time = time.time()

    num_batches = len(train_data) // bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        output = model(data)
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)

        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()

        total_loss += loss.item()

def evaluate(model, eval_data):
    model.eval()  # turn on evaluation mode
    total_loss = 0.
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i)
            seq_len = data.size(0)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            total_loss += seq_len * criterion(output_flat, targets).item()
    return total_loss / (len(eval_data) - 1)
""",
            """\
best_val_loss = float('inf')
epochs = 2
best_model = None

for epoch in range(1, epochs + 1):
    epoch_start_time = time.time()
    train(model)
    val_loss = evaluate(model, val_data)
    val_ppl = math.exp(val_loss)
    print(f'| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | valid ppl {val_ppl:8.2f}')

    if val_loss < best_val_loss:
        best_val_loss = val_loss
        best_model = copy.deepcopy(model)

    scheduler.step()
""",
            """\
test_loss = evaluate(best_model, val_data)
print(next(best_model.parameters()).device, test_loss)
""",
        ),
    ),
    # ------------------------------------------------------------------ pytorch/examples
    Snippet(
        name="examples_mnist_train_test",
        source="pytorch/examples mnist/main.py",
        cells=(
            """\
import types
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.conv2 = nn.Conv2d(4, 8, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output
""",
            """\
def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]  Loss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
            if args.dry_run:
                break


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)

    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
""",
            """\
args = types.SimpleNamespace(batch_size=4, test_batch_size=8, epochs=2, lr=1.0, gamma=0.7,
                             seed=1, log_interval=1, dry_run=False)
torch.manual_seed(args.seed)

train_kwargs = {'batch_size': args.batch_size}
test_kwargs = {'batch_size': args.test_batch_size}
dataset1 = torch.utils.data.TensorDataset(torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,)))
dataset2 = torch.utils.data.TensorDataset(torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,)))
train_loader = torch.utils.data.DataLoader(dataset1,**train_kwargs)
test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

model = Net().to(device)
optimizer = optim.Adadelta(model.parameters(), lr=args.lr)

scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
for epoch in range(1, args.epochs + 1):
    train(args, model, device, train_loader, optimizer, epoch)
    test(model, device, test_loader)
    scheduler.step()
print(scheduler.get_last_lr())
""",
        ),
    ),
    Snippet(
        name="examples_mnist_rnn_lstm",
        source="pytorch/examples mnist_rnn/main.py",
        cells=(
            """\
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.rnn = nn.LSTM(input_size=6, hidden_size=8, batch_first=True)
        self.batchnorm = nn.BatchNorm1d(8)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(8, 8)
        self.fc2 = nn.Linear(8, 10)

    def forward(self, input):
        # Shape of input is (batch_size,1, 6, 6)
        # converting shape of input to (batch_size, 6, 6)
        # as required by RNN when batch_first is set True
        input = input.reshape(-1, 6, 6)
        output, hidden = self.rnn(input)

        # RNN output shape is (seq_len, batch, input_size)
        # Get last output of RNN
        output = output[:, -1, :]
        output = self.batchnorm(output)
        output = self.dropout1(output)
        output = self.fc1(output)
        output = F.relu(output)
        output = self.dropout2(output)
        output = self.fc2(output)
        output = F.log_softmax(output, dim=1)
        return output
""",
            """\
torch.manual_seed(1)
train_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.randn(8, 1, 6, 6), torch.randint(0, 10, (8,))),
    batch_size=4, shuffle=True)
model = Net().to(device)
optimizer = optim.Adadelta(model.parameters(), lr=0.1)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)

for epoch in range(1, 3):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
    scheduler.step()

model.eval()
with torch.no_grad():
    data, target = next(iter(train_loader))
    data, target = data.to(device), target.to(device)
    pred = model(data).argmax(dim=1, keepdim=True)
    print(pred.eq(target.view_as(pred)).sum().item())
""",
        ),
        sim_gap=_FUSED_RNN_CELLS,
    ),
    Snippet(
        name="examples_word_language_model_train",
        source="pytorch/examples word_language_model/main.py and model.py (LSTM, clip_grad_norm_, manual SGD)",
        cells=(
            _WORD_LM_MODEL,
            """\
def batchify(data, bsz):
    # Work out how cleanly we can divide the dataset into bsz parts.
    nbatch = data.size(0) // bsz
    # Trim off any extra elements that wouldn't cleanly fit (remainders).
    data = data.narrow(0, 0, nbatch * bsz)
    # Evenly divide the data across the bsz batches.
    data = data.view(bsz, -1).t().contiguous()
    return data.to(device)

ntokens = 10
eval_batch_size = 2
train_data = batchify(torch.randint(0, ntokens, (40,)), 4)
val_data = batchify(torch.randint(0, ntokens, (20,)), eval_batch_size)
bptt = 3
clip = 0.25
lr = 20

model = RNNModel('LSTM', ntokens, 4, 4, 2, 0.2).to(device)
criterion = nn.NLLLoss()
""",
            """\
def repackage_hidden(h):
    \"\"\"Wraps hidden states in new Tensors, to detach them from their history.\"\"\"

    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)

def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i+seq_len]
    target = source[i+1:i+1+seq_len].view(-1)
    return data, target

def evaluate(data_source):
    # Turn on evaluation mode which disables dropout.
    model.eval()
    total_loss = 0.
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)

def train():
    # Turn on training mode which enables dropout.
    model.train()
    total_loss = 0.
    hidden = model.init_hidden(4)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        # Starting each batch, we detach the hidden state from how it was previously produced.
        # If we didn't, the model would try backpropagating all the way to start of the dataset.
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()

        # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)

        total_loss += loss.item()
""",
            """\
best_val_loss = None
for epoch in range(1, 3):
    train()
    val_loss = evaluate(val_data)
    print('| end of epoch {:3d} | valid loss {:5.2f} | valid ppl {:8.2f}'.format(
        epoch, val_loss, math.exp(val_loss)))
    if not best_val_loss or val_loss < best_val_loss:
        best_val_loss = val_loss
    else:
        # Anneal the learning rate if no improvement has been seen in the validation dataset.
        lr /= 4.0
""",
        ),
        sim_gap=_FUSED_RNN_CELLS,
    ),
    Snippet(
        name="examples_word_language_model_generate",
        source="pytorch/examples word_language_model/generate.py (GRU, input.fill_(word_idx))",
        cells=(
            _WORD_LM_MODEL,
            """\
ntokens = 10
idx2word = [f'w{i}' for i in range(ntokens)]
model = RNNModel('GRU', ntokens, 4, 4, 1, 0.0).to(device)
temperature = 1.0
torch.manual_seed(1111)
""",
            """\
model.eval()
hidden = model.init_hidden(1)
input = torch.randint(ntokens, (1, 1), dtype=torch.long).to(device)

words = []
with torch.no_grad():  # no tracking history
    for i in range(5):
        output, hidden = model(input, hidden)
        word_weights = output.squeeze().div(temperature).exp().cpu()
        word_idx = torch.multinomial(word_weights, 1)[0]
        input.fill_(word_idx)

        word = idx2word[word_idx]
        words.append(word)
print(' '.join(words))
""",
        ),
        sim_gap=_FUSED_RNN_CELLS,
    ),
    Snippet(
        name="examples_word_language_model_load_whole_model",
        source="pytorch/examples word_language_model/generate.py (torch.load(f, map_location=device) of a whole model)",
        cells=(
            _WORD_LM_MODEL,
            """\
import io
f = io.BytesIO()
torch.save(RNNModel('LSTM', 10, 4, 4, 1, 0.0).to(device), f)
""",
            """\
f.seek(0)
model = torch.load(f, map_location=device, weights_only=False)
model.eval()
hidden = model.init_hidden(1)
input = torch.randint(10, (1, 1), dtype=torch.long).to(device)
with torch.no_grad():
    output, hidden = model(input, hidden)
print(output.shape, hidden[0].device)
""",
        ),
        sim_gap=_NO_STORAGE,
    ),
    Snippet(
        name="examples_dcgan_train_step",
        source="pytorch/examples dcgan/main.py",
        cells=(
            """\
import torch.optim as optim

nz, ngf, ndf, nc = 4, 2, 2, 3
batch_size = 4

# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)

class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh()
        )

    def forward(self, input):
        return self.main(input)

class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        output = self.main(input)
        return output.view(-1, 1).squeeze(1)
""",
            """\
netG = Generator().to(device)
netG.apply(weights_init)
netD = Discriminator().to(device)
netD.apply(weights_init)
print(netD)

criterion = nn.BCELoss()

fixed_noise = torch.randn(batch_size, nz, 1, 1, device=device)
real_label = 1
fake_label = 0

# setup optimizer
optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
dataloader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, nc, 8, 8) * 2 - 1), batch_size=batch_size)
""",
            """\
for epoch in range(1):
    for i, data in enumerate(dataloader, 0):
        ############################
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        ###########################
        # train with real
        netD.zero_grad()
        real_cpu = data[0].to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label,
                           dtype=real_cpu.dtype, device=device)

        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        # train with fake
        noise = torch.randn(batch_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        ############################
        # (2) Update G network: maximize log(D(G(z)))
        ###########################
        netG.zero_grad()
        label.fill_(real_label)  # fake labels are real for generator cost
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()

        print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
              % (epoch, 1, i, len(dataloader),
                 errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
""",
            """\
with torch.no_grad():
    fake = netG(fixed_noise).detach().cpu()
print(fake.shape, fake.device)
""",
        ),
    ),
    Snippet(
        name="examples_dcgan_load_cpu_state_dict",
        source="pytorch/examples dcgan/main.py (netG.load_state_dict(...) after .to(device))",
        cells=(
            """\
class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(4, 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(4),
            nn.ReLU(True),
            nn.ConvTranspose2d(4, 3, 4, 2, 1, bias=False),
            nn.Tanh()
        )

    def forward(self, input):
        return self.main(input)

saved = Generator().state_dict()
""",
            """\
netG = Generator().to(device)
netG.load_state_dict(saved)
netG.eval()
with torch.no_grad():
    print(netG(torch.randn(2, 4, 1, 1, device=device)).shape)
""",
        ),
    ),
    Snippet(
        name="examples_vae_train_test",
        source="pytorch/examples vae/main.py",
        cells=(
            """\
from torch import optim

class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(16, 8)
        self.fc21 = nn.Linear(8, 2)
        self.fc22 = nn.Linear(8, 2)
        self.fc3 = nn.Linear(2, 8)
        self.fc4 = nn.Linear(8, 16)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 16))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar

model = VAE().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)

# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 16), reduction='sum')

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD

batch_size = 4
train_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 4, 4), torch.zeros(8)), batch_size=batch_size)
test_loader = train_loader
""",
            """\
def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    print('====> Epoch: {} Average loss: {:.4f}'.format(
          epoch, train_loss / len(train_loader.dataset)))

def test(epoch):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n],
                                      recon_batch.view(batch_size, 1, 4, 4)[:n]])

    test_loss /= len(test_loader.dataset)
    print('====> Test set loss: {:.4f}'.format(test_loss))
""",
            """\
for epoch in range(1, 3):
    train(epoch)
    test(epoch)
    with torch.no_grad():
        sample = torch.randn(8, 2).to(device)
        sample = model.decode(sample).cpu()
print(sample.view(8, 1, 4, 4).shape)
""",
        ),
    ),
    Snippet(
        name="examples_vae_comparison_cat_cpu_batch",
        source="pytorch/examples vae/main.py (test(): comparison built from the CPU batch)",
        cells=(
            """\
class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(16, 8)
        self.fc21 = nn.Linear(8, 2)
        self.fc22 = nn.Linear(8, 2)
        self.fc3 = nn.Linear(2, 8)
        self.fc4 = nn.Linear(8, 16)

    def forward(self, x):
        h1 = F.relu(self.fc1(x.view(-1, 16)))
        mu, logvar = self.fc21(h1), self.fc22(h1)
        z = mu + torch.randn_like(logvar) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

model = VAE().to(device)
batch_size = 4
test_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 4, 4), torch.zeros(8)), batch_size=batch_size)
""",
            """\
model.eval()
with torch.no_grad():
    data, _ = next(iter(test_loader))
    recon_batch, mu, logvar = model(data.to(device))
    n = min(data.size(0), 8)
    comparison = torch.cat([data[:n], recon_batch.view(batch_size, 1, 4, 4)[:n]])
""",
        ),
        mistake=("data", "recon_batch"),
    ),
    Snippet(
        name="examples_regression_poly_cpu",
        source="pytorch/examples regression/main.py",
        cells=(
            """\
POLY_DEGREE = 4
W_target = torch.randn(POLY_DEGREE, 1) * 5
b_target = torch.randn(1) * 5

def make_features(x):
    \"\"\"Builds features i.e. a matrix with columns [x, x^2, x^3, x^4].\"\"\"
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE+1)], 1)

def f(x):
    \"\"\"Approximated function.\"\"\"
    return x.mm(W_target) + b_target.item()

def poly_desc(W, b):
    \"\"\"Creates a string description of a polynomial.\"\"\"
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result

def get_batch(batch_size=32):
    \"\"\"Builds a batch i.e. (x, f(x)) pair.\"\"\"
    random = torch.randn(batch_size)
    x = make_features(random)
    y = f(x)
    return x, y

# Define model
fc = torch.nn.Linear(W_target.size(0), 1)
""",
            """\
for batch_idx in range(1, 4):
    # Get data
    batch_x, batch_y = get_batch()

    # Reset gradients
    fc.zero_grad()

    # Forward pass
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    loss = output.item()

    # Backward pass
    output.backward()

    # Apply gradients
    for param in fc.parameters():
        param.data.add_(-0.1 * param.grad)

    # Stop criterion
    if loss < 1e-3:
        break

print('Loss: {:.6f} after {} batches'.format(loss, batch_idx))
print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))
""",
        ),
    ),
    Snippet(
        name="examples_regression_walrus_on_device",
        source="pytorch/examples regression/main.py (on the device, stop test written with :=)",
        cells=(
            """\
POLY_DEGREE = 4
W_target = (torch.randn(POLY_DEGREE, 1) * 5).to(device)
b_target = torch.randn(1) * 5

def make_features(x):
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE+1)], 1)

def f(x):
    return x.mm(W_target) + b_target.item()

def get_batch(batch_size=32):
    random = torch.randn(batch_size, device=device)
    x = make_features(random)
    y = f(x)
    return x, y

fc = torch.nn.Linear(W_target.size(0), 1).to(device)
""",
            """\
def step():
    batch_x, batch_y = get_batch()
    fc.zero_grad()
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    output.backward()
    for param in fc.parameters():
        param.data.add_(-0.1 * param.grad)
    return output.item()

batch_idx = 0
while (loss := step()) > 1e-3 and (batch_idx := batch_idx + 1) < 3:
    pass
print(f'Loss: {loss:.6f} after {batch_idx} batches')
""",
            """\
if (n := fc.weight.numel()) == POLY_DEGREE:
    print(n, fc.weight.view(-1).tolist(), (fc.bias - b_target[0]).abs())
""",
        ),
    ),
    Snippet(
        name="examples_time_sequence_prediction_lbfgs_cpu",
        source="pytorch/examples time_sequence_prediction/train.py (LSTMCell, double, LBFGS)",
        cells=(
            """\
import numpy as np
import torch.optim as optim

np.random.seed(2)
T, L, N = 20, 12, 6
x = np.empty((N, L), 'int64')
x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
data = np.sin(x / 1.0 / T).astype('float64')

class Sequence(nn.Module):
    def __init__(self):
        super(Sequence, self).__init__()
        self.lstm1 = nn.LSTMCell(1, 8)
        self.lstm2 = nn.LSTMCell(8, 8)
        self.linear = nn.Linear(8, 1)

    def forward(self, input, future = 0):
        outputs = []
        h_t = torch.zeros(input.size(0), 8, dtype=torch.double)
        c_t = torch.zeros(input.size(0), 8, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), 8, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), 8, dtype=torch.double)

        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):# if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs
""",
            """\
# set random seed to 0
np.random.seed(0)
torch.manual_seed(0)
# load data and make training set
input = torch.from_numpy(data[3:, :-1])
target = torch.from_numpy(data[3:, 1:])
test_input = torch.from_numpy(data[:3, :-1])
test_target = torch.from_numpy(data[:3, 1:])
# build the model
seq = Sequence()
seq.double()
criterion = nn.MSELoss()
# use LBFGS as optimizer since we can load the whole data to train
optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=3)
#begin to train
for i in range(2):
    print('STEP: ', i)
    def closure():
        optimizer.zero_grad()
        out = seq(input)
        loss = criterion(out, target)
        print('loss:', loss.item())
        loss.backward()
        return loss
    optimizer.step(closure)
    # begin to predict, no need to track gradient here
    with torch.no_grad():
        future = 4
        pred = seq(test_input, future=future)
        loss = criterion(pred[:, :-future], test_target)
        print('test loss:', loss.item())
        y = pred.detach().numpy()
print(y.shape)
""",
        ),
    ),
    Snippet(
        name="examples_time_sequence_prediction_on_device",
        source="pytorch/examples time_sequence_prediction/train.py (model and data moved, h_t still made on the CPU)",
        cells=(
            """\
class Sequence(nn.Module):
    def __init__(self):
        super(Sequence, self).__init__()
        self.lstm1 = nn.LSTMCell(1, 8)
        self.lstm2 = nn.LSTMCell(8, 8)
        self.linear = nn.Linear(8, 1)

    def forward(self, input, future = 0):
        outputs = []
        h_t = torch.zeros(input.size(0), 8, dtype=torch.double)
        c_t = torch.zeros(input.size(0), 8, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), 8, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), 8, dtype=torch.double)

        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs

data = torch.sin(torch.arange(60, dtype=torch.double).view(5, 12) / 20)
input = data[:, :-1].to(device)
target = data[:, 1:].to(device)
seq = Sequence().double().to(device)
criterion = nn.MSELoss()
""",
            """\
out = seq(input)
""",
        ),
        mistake=("h_t",),
    ),
    Snippet(
        name="examples_siamese_network",
        source="pytorch/examples siamese_network/main.py (resnet trunk shrunk to a small conv)",
        cells=(
            """\
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.resnet = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1, bias=False),
                                    nn.BatchNorm2d(4), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1))
        self.fc_in_features = 4

        # add linear layers to compare between the features of the two images
        self.fc = nn.Sequential(
            nn.Linear(self.fc_in_features * 2, 8),
            nn.ReLU(inplace=True),
            nn.Linear(8, 1),
        )

        self.sigmoid = nn.Sigmoid()

        # initialize the weights
        self.resnet.apply(self.init_weights)
        self.fc.apply(self.init_weights)

    def init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.resnet(x)
        output = output.view(output.size()[0], -1)
        return output

    def forward(self, input1, input2):
        # get two images' features
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)

        # concatenate both images' features
        output = torch.cat((output1, output2), 1)

        # pass the concatenation to the linear layers
        output = self.fc(output)

        # pass the out of the linear layers to sigmoid layer
        output = self.sigmoid(output)

        return output
""",
            """\
def train(model, device, train_loader, optimizer, epoch):
    model.train()

    # we aren't using `TripletLoss` as the MNIST dataset is simple, so `BCELoss` can do the trick.
    criterion = nn.BCELoss()

    for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
        images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = model(images_1, images_2).squeeze()
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()

def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0

    # we aren't using `TripletLoss` as the MNIST dataset is simple, so `BCELoss` can do the trick.
    criterion = nn.BCELoss()

    with torch.no_grad():
        for (images_1, images_2, targets) in test_loader:
            images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
            outputs = model(images_1, images_2).squeeze()
            test_loss += criterion(outputs, targets).sum().item()  # sum up batch loss
            pred = torch.where(outputs > 0.5, 1, 0)  # get the index of the max log-probability
            correct += pred.eq(targets.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
""",
            """\
loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 6, 6), torch.rand(8, 1, 6, 6), torch.randint(0, 2, (8,)).float()),
    batch_size=4, shuffle=True)
model = SiameseNetwork().to(device)
optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 3):
    train(model, device, loader, optimizer, epoch)
    test(model, device, loader)
    scheduler.step()
""",
        ),
    ),
    Snippet(
        name="examples_mnist_forward_forward",
        source="pytorch/examples mnist_forward_forward/main.py (Adam built in Layer.__init__, before .to(device))",
        cells=(
            """\
from torch.optim import Adam
import types
args = types.SimpleNamespace(lr=0.03, threshold=2.0, epochs=3, log_interval=1)

def get_y_neg(y):
    y_neg = y.clone()
    for idx, y_samp in enumerate(y):
        allowed_indices = list(range(10))
        allowed_indices.remove(y_samp.item())
        y_neg[idx] = torch.tensor(allowed_indices)[
            torch.randint(len(allowed_indices), size=(1,))
        ].item()
    return y_neg.to(device)

def overlay_y_on_x(x, y, classes=10):
    x_ = x.clone()
    x_[:, :classes] *= 0.0
    x_[range(x.shape[0]), y] = x.max()
    return x_
""",
            """\
class Net(torch.nn.Module):
    def __init__(self, dims):

        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers = self.layers + [Layer(dims[d], dims[d + 1]).to(device)]

    def predict(self, x):
        goodness_per_label = []
        for label in range(10):
            h = overlay_y_on_x(x, label)
            goodness = []
            for layer in self.layers:
                h = layer(h)
                goodness = goodness + [h.pow(2).mean(1)]
            goodness_per_label += [sum(goodness).unsqueeze(1)]
        goodness_per_label = torch.cat(goodness_per_label, 1)
        return goodness_per_label.argmax(1)

    def train(self, x_pos, x_neg):
        h_pos, h_neg = x_pos, x_neg
        for i, layer in enumerate(self.layers):
            print("training layer: ", i)
            h_pos, h_neg = layer.train(h_pos, h_neg)


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.relu = torch.nn.ReLU()
        self.opt = Adam(self.parameters(), lr=args.lr)
        self.threshold = args.threshold
        self.num_epochs = args.epochs

    def forward(self, x):
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

    def train(self, x_pos, x_neg):
        for i in range(self.num_epochs):
            g_pos = self.forward(x_pos).pow(2).mean(1)
            g_neg = self.forward(x_neg).pow(2).mean(1)
            loss = torch.log1p(
                torch.exp(
                    torch.cat([-g_pos + self.threshold, g_neg - self.threshold])
                )
            ).mean()
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            if i % args.log_interval == 0:
                print("Loss: ", loss.item())
        return self.forward(x_pos).detach(), self.forward(x_neg).detach()
""",
            """\
net = Net([20, 8, 8])
before = net.layers[0].weight.detach().clone()
x, y = torch.rand(6, 20), torch.randint(0, 10, (6,))
x, y = x.to(device), y.to(device)
x_pos = overlay_y_on_x(x, y)
y_neg = get_y_neg(y)
x_neg = overlay_y_on_x(x, y_neg)
net.train(x_pos, x_neg)
print("train error:", 1.0 - net.predict(x).eq(y).float().mean().item())
assert not torch.equal(before, net.layers[0].weight.detach()), "Adam did not update the moved layer"
""",
        ),
    ),
    Snippet(
        name="examples_reinforce_cpu_returns",
        source="pytorch/examples reinforcement_learning/reinforce.py (policy on the device, returns left on the CPU)",
        cells=(
            """\
from collections import deque
import numpy as np
import torch.optim as optim
from torch.distributions import Categorical

gamma = 0.99

class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 16)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(16, 2)

        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)

policy = Policy().to(device)
optimizer = optim.Adam(policy.parameters(), lr=1e-2)
eps = np.finfo(np.float32).eps.item()
""",
            """\
def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0).to(device)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()

def finish_episode():
    R = 0
    policy_loss = []
    returns = deque()
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.appendleft(R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]
""",
            """\
rng = np.random.default_rng(543)
for i_episode in range(2):
    state, ep_reward = rng.random(4), 0
    for t in range(1, 5):
        action = select_action(state)
        state, reward = rng.random(4), 1.0
        policy.rewards.append(reward)
        ep_reward += reward
    finish_episode()
    print('Episode {}  Last reward: {:.2f}'.format(i_episode, ep_reward))
""",
        ),
    ),
    Snippet(
        name="examples_imagenet_accuracy_meters",
        source="pytorch/examples imagenet/main.py (train(), accuracy(), AverageMeter)",
        cells=(
            """\
import time
from enum import Enum
import torch.optim
from torch.optim.lr_scheduler import StepLR

class Summary(Enum):
    NONE = 0
    AVERAGE = 1

class AverageMeter(object):
    \"\"\"Computes and stores the average and current value\"\"\"
    def __init__(self, name, fmt=':f', summary_type=Summary.AVERAGE):
        self.name = name
        self.fmt = fmt
        self.summary_type = summary_type
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

def accuracy(output, target, topk=(1,)):
    \"\"\"Computes the accuracy over the k top predictions for the specified values of k\"\"\"
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)

        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))

        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res
""",
            """\
def train(train_loader, model, criterion, optimizer, epoch, device):
    batch_time = AverageMeter('Time', ':6.3f')
    losses = AverageMeter('Loss', ':.4e')
    top1 = AverageMeter('Acc@1', ':6.2f')
    top5 = AverageMeter('Acc@5', ':6.2f')

    # switch to train mode
    model.train()

    end = time.time()
    for i, (images, target) in enumerate(train_loader):
        # move data to the same device as model
        images = images.to(device, non_blocking=True)
        target = target.to(device, non_blocking=True)

        # compute output
        output = model(images)
        loss = criterion(output, target)

        # measure accuracy and record loss
        acc1, acc5 = accuracy(output, target, topk=(1, 5))
        losses.update(loss.item(), images.size(0))
        top1.update(acc1[0], images.size(0))
        top5.update(acc5[0], images.size(0))

        # compute gradient and do SGD step
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        # measure elapsed time
        batch_time.update(time.time() - end)
        end = time.time()
    return top1.avg
""",
            """\
model = nn.Sequential(nn.Flatten(), nn.Linear(12, 10)).to(device)
criterion = nn.CrossEntropyLoss().to(device)
optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum=0.9, weight_decay=1e-4)
scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
train_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 3, 2, 2), torch.randint(0, 10, (8,))), batch_size=4)

best_acc1 = 0
for epoch in range(2):
    acc1 = train(train_loader, model, criterion, optimizer, epoch, device)
    scheduler.step()
    # remember best acc@1 and save checkpoint
    is_best = acc1 > best_acc1
    best_acc1 = max(acc1, best_acc1)
print(best_acc1, is_best)
""",
        ),
    ),
    Snippet(
        name="examples_imagenet_resume_checkpoint",
        source="pytorch/examples imagenet/main.py (save_checkpoint / resume with map_location)",
        cells=(
            """\
import io
from torch.optim.lr_scheduler import StepLR

model = nn.Sequential(nn.Flatten(), nn.Linear(12, 10)).to(device)
optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum=0.9, weight_decay=1e-4)
scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
loss = F.cross_entropy(model(torch.rand(4, 3, 2, 2, device=device)), torch.randint(0, 10, (4,), device=device))
loss.backward()
optimizer.step()
best_acc1 = torch.tensor([25.0], device=device)

checkpoint_file = io.BytesIO()
torch.save({
    'epoch': 1,
    'arch': 'tiny',
    'state_dict': model.state_dict(),
    'best_acc1': best_acc1,
    'optimizer' : optimizer.state_dict(),
    'scheduler' : scheduler.state_dict()
}, checkpoint_file)
""",
            """\
checkpoint_file.seek(0)
loc = device
checkpoint = torch.load(checkpoint_file, map_location=loc)
start_epoch = checkpoint['epoch']
best_acc1 = checkpoint['best_acc1']
best_acc1 = best_acc1.to(device)
model.load_state_dict(checkpoint['state_dict'])
optimizer.load_state_dict(checkpoint['optimizer'])
scheduler.load_state_dict(checkpoint['scheduler'])
print("=> loaded checkpoint (epoch {})".format(checkpoint['epoch']))
""",
        ),
        sim_gap=_NO_STORAGE,
    ),
    Snippet(
        name="examples_fast_neural_style_train_stylize",
        source="pytorch/examples fast_neural_style/neural_style/neural_style.py and utils.py (new_tensor, gram_matrix, .eval().cpu())",
        cells=(
            """\
from collections import namedtuple
from torch.optim import Adam

def gram_matrix(y):
    (b, ch, h, w) = y.size()
    features = y.view(b, ch, w * h)
    features_t = features.transpose(1, 2)
    gram = features.bmm(features_t) / (ch * h * w)
    return gram

def normalize_batch(batch):
    # normalize using imagenet mean and std
    mean = batch.new_tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
    std = batch.new_tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
    batch = batch.div_(255.0)
    return (batch - mean) / std

class TransformerNet(nn.Module):
    def __init__(self):
        super(TransformerNet, self).__init__()
        self.pad1 = nn.ReflectionPad2d(1)
        self.conv1 = nn.Conv2d(3, 4, kernel_size=3)
        self.in1 = nn.InstanceNorm2d(4, affine=True)
        self.conv2 = nn.Conv2d(4, 3, kernel_size=3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, X):
        y = self.relu(self.in1(self.conv1(self.pad1(X))))
        return self.conv2(y) * 255

class Vgg16(nn.Module):
    def __init__(self, requires_grad=False):
        super(Vgg16, self).__init__()
        self.slice1 = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU())
        self.slice2 = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())
        if not requires_grad:
            for param in self.parameters():
                param.requires_grad = False

    def forward(self, X):
        h_relu1_2 = self.slice1(X)
        h_relu2_2 = self.slice2(h_relu1_2)
        vgg_outputs = namedtuple("VggOutputs", ['relu1_2', 'relu2_2'])
        return vgg_outputs(h_relu1_2, h_relu2_2)
""",
            """\
batch_size = 2
content_weight, style_weight = 1e5, 1e10
train_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(4, 3, 8, 8) * 255, torch.zeros(4)), batch_size=batch_size)

transformer = TransformerNet().to(device)
optimizer = Adam(transformer.parameters(), 1e-3)
mse_loss = torch.nn.MSELoss()

vgg = Vgg16(requires_grad=False).to(device)
style = torch.rand(3, 8, 8) * 255
style = style.repeat(batch_size, 1, 1, 1).to(device)

features_style = vgg(normalize_batch(style))
gram_style = [gram_matrix(y) for y in features_style]
""",
            """\
for e in range(1):
    transformer.train()
    agg_content_loss = 0.
    agg_style_loss = 0.
    count = 0
    for batch_id, (x, _) in enumerate(train_loader):
        n_batch = len(x)
        count += n_batch
        optimizer.zero_grad()

        x = x.to(device)
        y = transformer(x)

        y = normalize_batch(y)
        x = normalize_batch(x)

        features_y = vgg(y)
        features_x = vgg(x)

        content_loss = content_weight * mse_loss(features_y.relu2_2, features_x.relu2_2)

        style_loss = 0.
        for ft_y, gm_s in zip(features_y, gram_style):
            gm_y = gram_matrix(ft_y)
            style_loss += mse_loss(gm_y, gm_s[:n_batch, :, :])
        style_loss *= style_weight

        total_loss = content_loss + style_loss
        total_loss.backward()
        optimizer.step()

        agg_content_loss += content_loss.item()
        agg_style_loss += style_loss.item()

# save model
transformer.eval().cpu()
state_dict = transformer.state_dict()
""",
            """\
content_image = torch.rand(3, 8, 8) * 255
content_image = content_image.unsqueeze(0).to(device)
with torch.no_grad():
    style_model = TransformerNet()
    style_model.load_state_dict(state_dict)
    style_model.to(device)
    style_model.eval()
    output = style_model(content_image).cpu()
img = output[0].clone().clamp(0, 255).numpy()
print(img.shape)
""",
        ),
    ),
    # ------------------------------------------------------------------ d2l-ai/d2l-en
    Snippet(
        name="d2l_use_gpu_tensors",
        source="d2l-en chapter_builders-guide/use-gpu.md (Tensors and GPUs)",
        cells=(
            """\
def try_gpu(i=0):
    \"\"\"Return gpu(i) if exists, otherwise return cpu().\"\"\"
    return device

x = torch.tensor([1, 2, 3])
x.device
""",
            """\
X = torch.ones(2, 3, device=try_gpu())
X
""",
            """\
Y = torch.rand(2, 3, device=try_gpu())
Z = X.to(try_gpu())
print(X)
print(Z)
""",
            """\
Y + Z
""",
            """\
Z.to(try_gpu()) is Z
""",
        ),
    ),
    Snippet(
        name="d2l_use_gpu_lazy_net",
        source="d2l-en chapter_builders-guide/use-gpu.md (Neural Networks and GPUs, nn.LazyLinear)",
        cells=(
            """\
X = torch.ones(2, 3, device=device)
net = nn.Sequential(nn.LazyLinear(1))
net = net.to(device=device)
""",
            """\
net(X)
""",
            """\
net[0].weight.data.device
""",
        ),
        sim_gap=_LAZY_MOVE,
    ),
    Snippet(
        name="d2l_lazy_init_cpu",
        source="d2l-en chapter_builders-guide/lazy-init.md",
        cells=(
            """\
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(4))
net[0].weight
""",
            """\
X = torch.rand(2, 5)
net(X)
net[0].weight.shape
""",
        ),
    ),
    Snippet(
        name="d2l_parameters_access_and_tied",
        source="d2l-en chapter_builders-guide/parameters.md (then moved to the device)",
        cells=(
            """\
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
X = torch.rand(size=(2, 4))
net(X).shape
""",
            """\
print(net[2].state_dict())
print(type(net[2].bias), net[2].bias.data)
print(net[2].weight.grad == None)
[(name, param.shape) for name, param in net.named_parameters()]
""",
            """\
# We need to give the shared layer a name so that we can refer to its
# parameters
shared = nn.LazyLinear(8)
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.LazyLinear(1))

net(X)
# Check whether the parameters are the same
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# Make sure that they are actually the same object rather than just having the
# same value
print(net[2].weight.data[0] == net[4].weight.data[0])
""",
            """\
net.to(device)
print(net[2].weight is net[4].weight)
print(net(X.to(device)))
print(sum(p.numel() for p in net.parameters()))
""",
        ),
    ),
    Snippet(
        name="d2l_init_param_on_device",
        source="d2l-en chapter_builders-guide/init-param.md (net on the device)",
        cells=(
            """\
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)).to(device)
X = torch.rand(size=(2, 4), device=device)
net(X).shape
""",
            """\
def init_normal(module):
    if type(module) == nn.Linear:
        nn.init.normal_(module.weight, mean=0, std=0.01)
        nn.init.zeros_(module.bias)

net.apply(init_normal)
net[0].weight.data[0], net[0].bias.data[0]
""",
            """\
def init_constant(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 1)
        nn.init.zeros_(module.bias)

net.apply(init_constant)
print(net[0].weight.data[0], net[0].bias.data[0])

def init_xavier(module):
    if type(module) == nn.Linear:
        nn.init.xavier_uniform_(module.weight)

def init_42(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 42)

net[0].apply(init_xavier)
net[2].apply(init_42)
print(net[0].weight.data[0])
print(net[2].weight.data)
""",
            """\
def my_init(module):
    if type(module) == nn.Linear:
        print("Init", *[(name, param.shape)
                        for name, param in module.named_parameters()][0])
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5

net.apply(my_init)
print(net[0].weight[:2])
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
net[0].weight.data[0]
""",
        ),
    ),
    Snippet(
        name="d2l_custom_layers_on_device",
        source="d2l-en chapter_builders-guide/custom-layer.md (moved to the device)",
        cells=(
            """\
class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()

layer = CenteredLayer()
print(layer(torch.tensor([1.0, 2, 3, 4, 5], device=device)))
net = nn.Sequential(nn.LazyLinear(8), CenteredLayer())
Y = net(torch.rand(4, 8))
Y.mean()
""",
            """\
class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)

linear = MyLinear(5, 3).to(device)
print(linear.weight)
print(linear(torch.rand(2, 5, device=device)))
net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)).to(device)
net(torch.rand(2, 64, device=device))
""",
        ),
    ),
    Snippet(
        name="d2l_read_write_files",
        source="d2l-en chapter_builders-guide/read-write.md (io.BytesIO instead of files, on the device)",
        cells=(
            """\
import io
x = torch.arange(4, device=device)
f = io.BytesIO()
torch.save(x, f)
f.seek(0)
x2 = torch.load(f)
x2
""",
            """\
y = torch.zeros(4, device=device)
f = io.BytesIO()
torch.save([x, y], f)
f.seek(0)
x2, y2 = torch.load(f)
(x2, y2)
""",
            """\
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(16)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))

net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)
net.to(device)
params = io.BytesIO()
torch.save(net.state_dict(), params)
""",
            """\
params.seek(0)
clone = MLP()
clone(X)
clone.load_state_dict(torch.load(params))
clone.eval()
clone.to(device)
Y_clone = clone(X.to(device))
Y_clone == Y.to(device)
""",
        ),
    ),
    Snippet(
        name="d2l_linreg_scratch_on_device",
        source="d2l-en chapter_linear-regression/linear-regression-scratch.md (features and parameters on the device)",
        cells=(
            _D2L_SYNTHETIC
            + """
features, labels = features.to(device), labels.to(device)
print('features:', features[0],'label:', labels[0])
""",
            """\
import random

def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    # The examples are read at random, in no particular order
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

w = torch.normal(0, 0.01, size=(2,1), requires_grad=True, device=device)
b = torch.zeros(1, requires_grad=True, device=device)

def linreg(X, w, b):
    \"\"\"The linear regression model.\"\"\"
    return torch.matmul(X, w) + b

def squared_loss(y_hat, y):
    \"\"\"Squared loss.\"\"\"
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

def sgd(params, lr, batch_size):
    \"\"\"Minibatch stochastic gradient descent.\"\"\"
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
""",
            """\
lr = 0.03
num_epochs = 3
batch_size = 4
net = linreg
loss = squared_loss

for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`
        # Compute gradient on `l` with respect to [`w`, `b`]
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # Update parameters using their gradient
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
""",
            """\
print(f'error in estimating w: {true_w - w.reshape(true_w.shape).cpu()}')
print(f'error in estimating b: {true_b - b}')
""",
        ),
    ),
    Snippet(
        name="d2l_linreg_concise_cpu",
        source="d2l-en chapter_linear-regression/linear-regression-concise.md",
        cells=(
            _D2L_SYNTHETIC
            + """
from torch.utils import data

def load_array(data_arrays, batch_size, is_train=True):
    \"\"\"Construct a PyTorch data iterator.\"\"\"
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

batch_size = 4
data_iter = load_array((features, labels), batch_size)
next(iter(data_iter))
""",
            """\
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
""",
            """\
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X) ,y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')
""",
            """\
w = net[0].weight.data
print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('error in estimating b:', true_b - b)
""",
        ),
    ),
    Snippet(
        name="d2l_linreg_concise_error_on_device",
        source="d2l-en chapter_linear-regression/linear-regression-concise.md (net trained on the device, true_w still on the CPU)",
        cells=(
            _D2L_SYNTHETIC
            + """
net = nn.Sequential(nn.Linear(2, 1)).to(device)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
X, y = features.to(device), labels.to(device)
for epoch in range(2):
    l = loss(net(X), y)
    trainer.zero_grad()
    l.backward()
    trainer.step()
""",
            """\
w = net[0].weight.data
print('error in estimating w:', true_w - w.reshape(true_w.shape))
""",
        ),
        mistake=("true_w", "w"),
    ),
    Snippet(
        name="d2l_softmax_scratch_on_device",
        source="d2l-en chapter_linear-classification/softmax-regression-scratch.md (parameters and batches on the device)",
        cells=(
            _D2L_ACCUMULATOR
            + """
num_inputs = 16
num_outputs = 10

W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True, device=device)
b = torch.zeros(num_outputs, requires_grad=True, device=device)

def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # The broadcasting mechanism is applied here

def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])
""",
            """\
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])
print(cross_entropy(y_hat, y))
print(accuracy(y_hat, y) / len(y))
""",
            """\
def evaluate_accuracy(net, data_iter):
    \"\"\"Compute the accuracy for a model on a dataset.\"\"\"
    if isinstance(net, torch.nn.Module):
        net.eval()  # Set the model to evaluation mode
    metric = Accumulator(2)  # No. of correct predictions, no. of predictions

    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]

def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

def updater(batch_size):
    return sgd([W, b], 0.1, batch_size)

def train_epoch_ch3(net, train_iter, loss, updater):
    \"\"\"The training loop defined in Chapter 3.\"\"\"
    # Sum of training loss, sum of training accuracy, no. of examples
    metric = Accumulator(3)
    for X, y in train_iter:
        X, y = X.to(device), y.to(device)
        # Compute gradients and update parameters
        y_hat = net(X)
        l = loss(y_hat, y)
        # Using custom built optimizer & loss criterion
        l.sum().backward()
        updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    # Return training loss and training accuracy
    return metric[0] / metric[2], metric[1] / metric[2]

train_iter = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 4, 4), torch.randint(0, 10, (8,))), batch_size=4)
for epoch in range(2):
    train_metrics = train_epoch_ch3(net, train_iter, cross_entropy, updater)
    test_acc = evaluate_accuracy(net, train_iter)
    print(train_metrics, test_acc)
""",
        ),
    ),
    Snippet(
        name="d2l_lenet_train_ch6",
        source="d2l-en chapter_convolutional-neural-networks/lenet.md (train_ch6, evaluate_accuracy_gpu)",
        cells=(
            _D2L_ACCUMULATOR
            + """
net = nn.Sequential(
    nn.Conv2d(1, 2, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(2, 4, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(4, 8), nn.Sigmoid(),
    nn.Linear(8, 10))

X = torch.rand(size=(1, 1, 12, 12), dtype=torch.float32)
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__,'output shape: ',X.shape)
""",
            """\
def evaluate_accuracy_gpu(net, data_iter, device=None):
    \"\"\"Compute the accuracy for a model on a dataset using a GPU.\"\"\"
    if isinstance(net, nn.Module):
        net.eval()  # Set the model to evaluation mode
        if not device:
            device = next(iter(net.parameters())).device
    # No. of correct predictions, no. of predictions
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                # Required for BERT Fine-tuning (to be covered later)
                X = [x.to(device) for x in X]
            else:
                X = X.to(device)
            y = y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]

def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
    \"\"\"Train a model with a GPU (defined in Chapter 6).\"\"\"
    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    print('training on', device)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    num_batches = len(train_iter)
    for epoch in range(num_epochs):
        # Sum of training loss, sum of training accuracy, no. of examples
        metric = Accumulator(3)
        net.train()
        for i, (X, y) in enumerate(train_iter):
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            train_l = metric[0] / metric[2]
            train_acc = metric[1] / metric[2]
        test_acc = evaluate_accuracy_gpu(net, test_iter)
    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, '
          f'test acc {test_acc:.3f}')
""",
            """\
train_iter = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 12, 12), torch.randint(0, 10, (8,))), batch_size=4, shuffle=True)
test_iter = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 12, 12), torch.randint(0, 10, (8,))), batch_size=4)
lr, num_epochs = 0.9, 2
train_ch6(net, train_iter, test_iter, num_epochs, lr, device)
""",
        ),
    ),
    Snippet(
        name="d2l_batch_norm_scratch",
        source="d2l-en chapter_convolutional-modern/batch-norm.md (implementation from scratch)",
        cells=(
            """\
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    # Use is_grad_enabled to determine whether we are in training mode
    if not torch.is_grad_enabled():
        # In prediction mode, use mean and variance obtained by moving average
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            # When using a fully connected layer, calculate the mean and
            # variance on the feature dimension
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            # When using a two-dimensional convolutional layer, calculate the
            # mean and variance on the channel dimension (axis=1). Here we
            # need to maintain the shape of `X`, so that the broadcasting
            # operation can be carried out later
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        # In training mode, the current mean and variance are used
        X_hat = (X - mean) / torch.sqrt(var + eps)
        # Update the mean and variance using moving average
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var
    Y = gamma * X_hat + beta  # Scale and shift
    return Y, moving_mean.data, moving_var.data

class BatchNorm(nn.Module):
    # `num_features`: the number of outputs for a fully connected layer
    # or the number of output channels for a convolutional layer. `num_dims`:
    # 2 for a fully connected layer and 4 for a convolutional layer
    def __init__(self, num_features, num_dims):
        super().__init__()
        if num_dims == 2:
            shape = (1, num_features)
        else:
            shape = (1, num_features, 1, 1)
        # The scale parameter and the shift parameter (model parameters) are
        # initialized to 1 and 0, respectively
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        # The variables that are not model parameters are initialized to 0 and
        # 1
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        # If `X` is not on the main memory, copy `moving_mean` and
        # `moving_var` to the device where `X` is located
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        # Save the updated `moving_mean` and `moving_var`
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean,
            self.moving_var, eps=1e-5, momentum=0.1)
        return Y
""",
            """\
net = nn.Sequential(
    nn.Conv2d(1, 2, kernel_size=3), BatchNorm(2, num_dims=4), nn.Sigmoid(),
    nn.Flatten(), nn.Linear(2 * 4 * 4, 8), BatchNorm(8, num_dims=2), nn.Sigmoid(),
    nn.Linear(8, 10)).to(device)
optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
X, y = torch.rand(4, 1, 6, 6, device=device), torch.randint(0, 10, (4,), device=device)
for _ in range(2):
    optimizer.zero_grad()
    F.cross_entropy(net(X), y).backward()
    optimizer.step()
""",
            """\
net.eval()
with torch.no_grad():
    print(net(X).argmax(1))
net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,)), net[1].moving_mean.reshape((-1,))
""",
        ),
    ),
    Snippet(
        name="d2l_batch_norm_concise_train_eval",
        source="d2l-en chapter_convolutional-modern/batch-norm.md (concise implementation, nn.BatchNorm2d / BatchNorm1d)",
        cells=(
            """\
net = nn.Sequential(
    nn.Conv2d(1, 2, kernel_size=3), nn.BatchNorm2d(2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(2 * 2 * 2, 8), nn.BatchNorm1d(8), nn.Sigmoid(),
    nn.Linear(8, 10))
net.to(device)
optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
loss = nn.CrossEntropyLoss()
""",
            """\
net.train()
X, y = torch.rand(4, 1, 6, 6).to(device), torch.randint(0, 10, (4,)).to(device)
for _ in range(2):
    optimizer.zero_grad()
    l = loss(net(X), y)
    l.backward()
    optimizer.step()
print(net[1].running_mean, net[1].num_batches_tracked)
""",
            """\
net.eval()
with torch.no_grad():
    out1 = net(X)
    out2 = net(X)
print(torch.equal(out1, out2), net[6].running_var.sum().item())
""",
        ),
    ),
    Snippet(
        name="d2l_dropout_scratch_cpu",
        source="d2l-en chapter_multilayer-perceptrons/dropout.md (dropout from scratch)",
        cells=(
            _D2L_DROPOUT_LAYER,
            """\
X = torch.arange(16, dtype = torch.float32).reshape((2, 8))
print('dropout_p = 0:', dropout_layer(X, 0))
print('dropout_p = 0.5:', dropout_layer(X, 0.5))
print('dropout_p = 1:', dropout_layer(X, 1))
""",
        ),
    ),
    Snippet(
        name="d2l_dropout_scratch_device_input",
        source="d2l-en chapter_multilayer-perceptrons/dropout.md (dropout_layer called on a device tensor)",
        cells=(
            _D2L_DROPOUT_LAYER,
            """\
X = torch.arange(16, dtype = torch.float32).reshape((2, 8)).to(device)
print('dropout_p = 0:', dropout_layer(X, 0))
""",
            """\
print('dropout_p = 0.5:', dropout_layer(X, 0.5))
""",
        ),
        mistake=("mask", "X"),
    ),
    Snippet(
        name="d2l_dropout_concise_train_eval",
        source="d2l-en chapter_multilayer-perceptrons/dropout.md (concise implementation)",
        cells=(
            """\
dropout1, dropout2 = 0.2, 0.5
net = nn.Sequential(nn.Flatten(),
                    nn.Linear(16, 8), nn.ReLU(),
                    # Add a dropout layer after the first fully connected layer
                    nn.Dropout(dropout1),
                    nn.Linear(8, 8), nn.ReLU(),
                    # Add a dropout layer after the second fully connected layer
                    nn.Dropout(dropout2),
                    nn.Linear(8, 10))

def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)

net.apply(init_weights)
net = net.to(device)
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
loss = nn.CrossEntropyLoss(reduction='none')
""",
            """\
X, y = torch.rand(4, 1, 4, 4, device=device), torch.randint(0, 10, (4,), device=device)
net.train()
for _ in range(2):
    l = loss(net(X), y)
    trainer.zero_grad()
    l.mean().backward()
    trainer.step()
""",
            """\
net.eval()
with torch.no_grad():
    print(torch.equal(net(X), net(X)))
""",
        ),
    ),
    Snippet(
        name="d2l_mlp_scratch_on_device",
        source="d2l-en chapter_multilayer-perceptrons/mlp-implementation.md (from scratch, parameters on the device)",
        cells=(
            """\
num_inputs, num_outputs, num_hiddens = 16, 10, 8

W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, device=device) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, device=device))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, device=device) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, device=device))

params = [W1, b1, W2, b2]

def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)

def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X@W1 + b1)  # Here '@' stands for matrix multiplication
    return (H@W2 + b2)

loss = nn.CrossEntropyLoss(reduction='none')
""",
            """\
num_epochs, lr = 2, 0.1
updater = torch.optim.SGD(params, lr=lr)
train_iter = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 4, 4), torch.randint(0, 10, (8,))), batch_size=4)
for epoch in range(num_epochs):
    for X, y in train_iter:
        X, y = X.to(device), y.to(device)
        l = loss(net(X), y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
print(sum(p.sum() for p in params))
""",
        ),
    ),
    Snippet(
        name="d2l_weight_decay_param_groups",
        source="d2l-en chapter_linear-regression/weight-decay.md (concise implementation)",
        cells=(
            """\
num_inputs = 20
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
X = torch.normal(0, 1, (16, num_inputs))
y = torch.matmul(X, true_w) + true_b
train_iter = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=4, shuffle=True)

def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2
""",
            """\
def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    net = net.to(device)
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 2, 0.003
    # The bias parameter has not decayed
    trainer = torch.optim.SGD([
        {"params":net[0].weight,'weight_decay': wd},
        {"params":net[0].bias}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
    print('L2 norm of w:', net[0].weight.norm().item(), l2_penalty(net[0].weight).item())

train_concise(0)
train_concise(3)
""",
        ),
    ),
    Snippet(
        name="d2l_kaggle_house_log_rmse_adam",
        source="d2l-en chapter_multilayer-perceptrons/kaggle-house-price.md (log_rmse, Adam, k-fold)",
        cells=(
            """\
n_train, num_features = 20, 6
train_features = torch.randn(n_train, num_features, device=device)
train_labels = (torch.rand(n_train, 1) * 100 + 50).to(device)
loss = nn.MSELoss()

def get_net():
    net = nn.Sequential(nn.Linear(num_features, 1))
    return net.to(device)

def log_rmse(net, features, labels):
    # To further stabilize the value when the logarithm is taken, set the
    # value less than 1 as 1
    clipped_preds = torch.clamp(net(features), 1, float('inf'))
    rmse = torch.sqrt(loss(torch.log(clipped_preds), torch.log(labels)))
    return rmse.item()
""",
            """\
def get_k_fold_data(k, i, X, y):
    assert k > 1
    fold_size = X.shape[0] // k
    X_train, y_train = None, None
    for j in range(k):
        idx = slice(j * fold_size, (j + 1) * fold_size)
        X_part, y_part = X[idx, :], y[idx]
        if j == i:
            X_valid, y_valid = X_part, y_part
        elif X_train is None:
            X_train, y_train = X_part, y_part
        else:
            X_train = torch.cat([X_train, X_part], 0)
            y_train = torch.cat([y_train, y_part], 0)
    return X_train, y_train, X_valid, y_valid

def train(net, train_features, train_labels, test_features, test_labels,
          num_epochs, learning_rate, weight_decay, batch_size):
    train_ls, test_ls = [], []
    train_iter = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(train_features, train_labels), batch_size, shuffle=True)
    # The Adam optimization algorithm is used here
    optimizer = torch.optim.Adam(net.parameters(), lr = learning_rate, weight_decay = weight_decay)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            l = loss(net(X), y)
            l.backward()
            optimizer.step()
        train_ls.append(log_rmse(net, train_features, train_labels))
        if test_labels is not None:
            test_ls.append(log_rmse(net, test_features, test_labels))
    return train_ls, test_ls

def k_fold(k, X_train, y_train, num_epochs, learning_rate, weight_decay, batch_size):
    train_l_sum, valid_l_sum = 0, 0
    for i in range(k):
        data = get_k_fold_data(k, i, X_train, y_train)
        net = get_net()
        train_ls, valid_ls = train(net, *data, num_epochs, learning_rate, weight_decay, batch_size)
        train_l_sum += train_ls[-1]
        valid_l_sum += valid_ls[-1]
        print(f'fold {i + 1}, train log rmse {float(train_ls[-1]):f}, valid log rmse {float(valid_ls[-1]):f}')
    return train_l_sum / k, valid_l_sum / k

train_l, valid_l = k_fold(2, train_features, train_labels, 2, 5, 0, 4)
""",
        ),
    ),
    Snippet(
        name="d2l_resnet_residual_block",
        source="d2l-en chapter_convolutional-modern/resnet.md (Residual block on the device)",
        cells=(
            """\
class Residual(nn.Module):
    \"\"\"The Residual block of ResNet models.\"\"\"
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)
""",
            """\
blk = Residual(3, 3).to(device)
X = torch.rand(4, 3, 6, 6, device=device)
Y = blk(X)
print(Y.shape)
blk = Residual(3, 6, use_1x1conv=True, strides=2).to(device)
print(blk(X).shape)
blk(X).sum().backward()
print(blk.conv3.weight.grad.abs().sum().item() > 0)
""",
        ),
    ),
    Snippet(
        name="d2l_rnn_scratch_predict_and_clip",
        source="d2l-en chapter_recurrent-neural-networks/rnn-scratch.md (predict_ch8, grad_clipping)",
        cells=(
            _D2L_RNN_SCRATCH,
            """\
X = torch.arange(10).reshape((2, 5))
net = RNNModelScratch(vocab_size, num_hiddens, device, get_params, init_rnn_state, rnn)
state = net.begin_state(X.shape[0], device)
Y, new_state = net(X.to(device), state)
Y.shape, len(new_state), new_state[0].shape
""",
            """\
def predict_ch8(prefix, num_preds, net, vocab, device):
    \"\"\"Generate new characters following the `prefix`.\"\"\"
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]
    get_input = lambda: torch.tensor([outputs[-1]], device=device).reshape((1, 1))
    for y in prefix[1:]:  # Warm-up period
        _, state = net(get_input(), state)
        outputs.append(vocab[y])
    for _ in range(num_preds):  # Predict `num_preds` steps
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return ''.join([idx_to_token[i] for i in outputs])

idx_to_token = ['<unk>', ' ', 'e', 't', 'a', 'i', 'n', 'o', 's', 'h']
vocab = {t: i for i, t in enumerate(idx_to_token)}
predict_ch8('tea ', 4, net, vocab, device)
""",
            """\
def grad_clipping(net, theta):
    \"\"\"Clip the gradient.\"\"\"
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm

def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

loss = nn.CrossEntropyLoss()
for X, Y in [(torch.randint(0, 10, (2, 5)), torch.randint(0, 10, (2, 5)))] * 2:
    state = net.begin_state(batch_size=X.shape[0], device=device)
    y = Y.T.reshape(-1)
    X, y = X.to(device), y.to(device)
    y_hat, state = net(X, state)
    l = loss(y_hat, y.long()).mean()
    l.backward()
    grad_clipping(net, 1)
    sgd(net.params, 1, batch_size=1)
print(math.exp(l.item()))
""",
        ),
    ),
    Snippet(
        name="d2l_rnn_concise",
        source="d2l-en chapter_recurrent-neural-networks/rnn-concise.md (nn.RNN, begin_state on the device)",
        cells=(
            """\
vocab_size, num_hiddens, num_steps, batch_size = 6, 8, 5, 2
rnn_layer = nn.RNN(vocab_size, num_hiddens)
state = torch.zeros((1, batch_size, num_hiddens))
X = torch.rand(size=(num_steps, batch_size, vocab_size))
Y, state_new = rnn_layer(X, state)
Y.shape, state_new.shape
""",
            """\
class RNNModel(nn.Module):
    \"\"\"The RNN model.\"\"\"
    def __init__(self, rnn_layer, vocab_size, **kwargs):
        super(RNNModel, self).__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        # If the RNN is bidirectional (to be introduced later),
        # `num_directions` should be 2, else it should be 1.
        if not self.rnn.bidirectional:
            self.num_directions = 1
            self.linear = nn.Linear(self.num_hiddens, self.vocab_size)
        else:
            self.num_directions = 2
            self.linear = nn.Linear(self.num_hiddens * 2, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.T.long(), self.vocab_size)
        X = X.to(torch.float32)
        Y, state = self.rnn(X, state)
        # The fully connected layer will first change the shape of `Y` to
        # (`num_steps` * `batch_size`, `num_hiddens`). Its output shape is
        # (`num_steps` * `batch_size`, `vocab_size`).
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, device, batch_size=1):
        if not isinstance(self.rnn, nn.LSTM):
            # `nn.GRU` takes a tensor as hidden state
            return  torch.zeros((self.num_directions * self.rnn.num_layers,
                                 batch_size, self.num_hiddens),
                                device=device)
        else:
            # `nn.LSTM` takes a tuple of hidden states
            return (torch.zeros((
                self.num_directions * self.rnn.num_layers,
                batch_size, self.num_hiddens), device=device),
                    torch.zeros((
                        self.num_directions * self.rnn.num_layers,
                        batch_size, self.num_hiddens), device=device))

net = RNNModel(rnn_layer, vocab_size=vocab_size)
net = net.to(device)
""",
            """\
state = net.begin_state(batch_size=1, device=device)
outputs = [3]
for _ in range(4):
    y, state = net(torch.tensor([outputs[-1]], device=device).reshape((1, 1)), state)
    outputs.append(int(y.argmax(dim=1).reshape(1)))
print(outputs)
""",
        ),
    ),
    Snippet(
        name="d2l_gru_lstm_concise",
        source="d2l-en chapter_recurrent-modern/gru.md and lstm.md (concise implementations)",
        cells=(
            """\
vocab_size, num_hiddens, device_ = 6, 8, device
gru_layer = nn.GRU(vocab_size, num_hiddens).to(device)
lstm_layer = nn.LSTM(vocab_size, num_hiddens).to(device)
X = F.one_hot(torch.randint(0, vocab_size, (5, 2)), vocab_size).float().to(device)
""",
            """\
Y, H = gru_layer(X, torch.zeros((1, 2, num_hiddens), device=device))
print(Y.shape, H.shape)
""",
            """\
Y, (H, C) = lstm_layer(X, (torch.zeros((1, 2, num_hiddens), device=device),
                           torch.zeros((1, 2, num_hiddens), device=device)))
print(Y.shape, H.shape, C.shape)
""",
        ),
        sim_gap=_FUSED_RNN_CELLS,
    ),
    Snippet(
        name="d2l_word2vec_skip_gram_train",
        source="d2l-en chapter_natural-language-processing-pretraining/word2vec-pretraining.md (Embedding, SigmoidBCELoss, Adam)",
        cells=(
            """\
embed = nn.Embedding(num_embeddings=20, embedding_dim=4)
print(f'Parameter embedding_weight ({embed.weight.shape}, '
      f'dtype={embed.weight.dtype})')
x = torch.tensor([[1, 2, 3], [4, 5, 6]])
embed(x)
""",
            """\
def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    v = embed_v(center)
    u = embed_u(contexts_and_negatives)
    pred = torch.bmm(v, u.permute(0, 2, 1))
    return pred

class SigmoidBCELoss(nn.Module):
    # Binary cross-entropy loss with masking
    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        out = nn.functional.binary_cross_entropy_with_logits(
            inputs, target, weight=mask, reduction="none")
        return out.mean(dim=1)

loss = SigmoidBCELoss()
""",
            """\
vocab_size, embed_size = 20, 4
net = nn.Sequential(nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size),
                    nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_size))

def train(net, data_iter, lr, num_epochs, device):
    def init_weights(module):
        if type(module) == nn.Embedding:
            nn.init.xavier_uniform_(module.weight)
    net.apply(init_weights)
    net = net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    # Sum of normalized losses, no. of normalized losses
    metric = [0.0, 0]
    for epoch in range(num_epochs):
        for i, batch in enumerate(data_iter):
            optimizer.zero_grad()
            center, context_negative, mask, label = [
                data.to(device) for data in batch]

            pred = skip_gram(center, context_negative, net[0], net[1])
            l = (loss(pred.reshape(label.shape).float(), label.float(), mask)
                     / mask.sum(axis=1) * mask.shape[1])
            l.sum().backward()
            optimizer.step()
            metric[0] += l.sum().item()
            metric[1] += l.numel()
    print(f'loss {metric[0] / metric[1]:.3f}')

batch = (torch.randint(0, vocab_size, (4, 1)), torch.randint(0, vocab_size, (4, 6)),
         torch.ones(4, 6), torch.cat([torch.ones(4, 2), torch.zeros(4, 4)], 1))
train(net, [batch, batch], 0.002, 2, device)
""",
            """\
def get_similar_tokens(query_token, k, embed):
    W = embed.weight.data
    x = W[query_token]
    # Compute the cosine similarity. Add 1e-9 for numerical stability
    cos = torch.mv(W, x) / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    topk = torch.topk(cos, k=k+1)[1].cpu().numpy().astype('int32')
    for i in topk[1:]:  # Remove the input words
        print(f'cosine sim={float(cos[i]):.3f}: {i}')

get_similar_tokens(3, 3, net[0])
""",
        ),
    ),
    Snippet(
        name="d2l_masked_softmax_attention",
        source="d2l-en chapter_attention-mechanisms-and-transformers/attention-scoring-functions.md (masked_softmax, DotProductAttention)",
        cells=(
            """\
import math

def masked_softmax(X, valid_lens):
    \"\"\"Perform softmax operation by masking elements on the last axis.\"\"\"
    # X: 3D tensor, valid_lens: 1D or 2D tensor
    def _sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange((maxlen), dtype=torch.float32,
                            device=X.device)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X

    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    else:
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = torch.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        # On the last axis, replace masked elements with a very large negative
        # value, whose exponentiation outputs 0
        X = _sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
        return nn.functional.softmax(X.reshape(shape), dim=-1)

masked_softmax(torch.rand(2, 2, 4), torch.tensor([2, 3]))
""",
            """\
masked_softmax(torch.rand(2, 2, 4, device=device), torch.tensor([[1, 3], [2, 4]], device=device))
""",
            """\
class DotProductAttention(nn.Module):
    \"\"\"Scaled dot product attention.\"\"\"
    def __init__(self, dropout):
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    # Shape of queries: (batch_size, no. of queries, d)
    # Shape of keys: (batch_size, no. of key-value pairs, d)
    # Shape of values: (batch_size, no. of key-value pairs, value dimension)
    # Shape of valid_lens: (batch_size,) or (batch_size, no. of queries)
    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        # Swap the last two dimensions of keys with keys.transpose(1, 2)
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)

queries = torch.normal(0, 1, (2, 1, 2)).to(device)
keys = torch.normal(0, 1, (2, 10, 2)).to(device)
values = torch.normal(0, 1, (2, 10, 4)).to(device)
valid_lens = torch.tensor([2, 6]).to(device)

attention = DotProductAttention(dropout=0.5)
attention.eval()
attention(queries, keys, values, valid_lens).shape
""",
        ),
    ),
    Snippet(
        name="d2l_positional_encoding_plain_attribute",
        source="d2l-en chapter_attention-mechanisms-and-transformers/self-attention-and-positional-encoding.md",
        cells=(
            """\
class PositionalEncoding(nn.Module):
    \"\"\"Positional encoding.\"\"\"
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        # Create a long enough P
        self.P = torch.zeros((1, max_len, num_hiddens))
        X = torch.arange(max_len, dtype=torch.float32).reshape(
            -1, 1) / torch.pow(10000, torch.arange(
            0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        self.P[:, :, 0::2] = torch.sin(X)
        self.P[:, :, 1::2] = torch.cos(X)

    def forward(self, X):
        X = X + self.P[:, :X.shape[1], :].to(X.device)
        return self.dropout(X)
""",
            """\
encoding_dim, num_steps = 8, 6
pos_encoding = PositionalEncoding(encoding_dim, 0, max_len=20).to(device)
pos_encoding.eval()
X = pos_encoding(torch.zeros((1, num_steps, encoding_dim), device=device))
P = pos_encoding.P[:, :X.shape[1], :]
print(X.device, P.device, torch.allclose(X.cpu(), P))
""",
        ),
    ),
    Snippet(
        name="d2l_seq2seq_masked_loss_train",
        source="d2l-en chapter_recurrent-modern/seq2seq.md (sequence_mask, MaskedSoftmaxCELoss, train_seq2seq)",
        cells=(
            """\
class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.RNN(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X)
        X = X.permute(1, 0, 2)
        output, state = self.rnn(X)
        return output, state

class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.RNN(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        # Broadcast `context` so it has the same `num_steps` as `X`
        context = state[-1].repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        output = self.dense(output).permute(1, 0, 2)
        return output, state

class EncoderDecoder(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)
""",
            """\
def sequence_mask(X, valid_len, value=0):
    \"\"\"Mask irrelevant entries in sequences.\"\"\"
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32,
                        device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X

X = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(sequence_mask(X, torch.tensor([1, 2])))

class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    \"\"\"The softmax cross-entropy loss with masks.\"\"\"
    # `pred` shape: (`batch_size`, `num_steps`, `vocab_size`)
    # `label` shape: (`batch_size`, `num_steps`)
    # `valid_len` shape: (`batch_size`,)
    def forward(self, pred, label, valid_len):
        weights = torch.ones_like(label)
        weights = sequence_mask(weights, valid_len)
        self.reduction='none'
        unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(
            pred.permute(0, 2, 1), label)
        weighted_loss = (unweighted_loss * weights).mean(dim=1)
        return weighted_loss
""",
            """\
def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm

def train_seq2seq(net, data_iter, lr, num_epochs, tgt_vocab, device):
    \"\"\"Train a model for sequence to sequence.\"\"\"
    def xavier_init_weights(m):
        if type(m) == nn.Linear:
            nn.init.xavier_uniform_(m.weight)
        if type(m) == nn.RNN:
            for param in m._flat_weights_names:
                if "weight" in param:
                    nn.init.xavier_uniform_(m._parameters[param])

    net.apply(xavier_init_weights)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    loss = MaskedSoftmaxCELoss()
    net.train()
    for epoch in range(num_epochs):
        for batch in data_iter:
            optimizer.zero_grad()
            X, X_valid_len, Y, Y_valid_len = [x.to(device) for x in batch]
            bos = torch.tensor([tgt_vocab['<bos>']] * Y.shape[0],
                          device=device).reshape(-1, 1)
            dec_input = torch.cat([bos, Y[:, :-1]], 1)  # Teacher forcing
            Y_hat, _ = net(X, dec_input, X_valid_len)
            l = loss(Y_hat, Y, Y_valid_len)
            l.sum().backward()      # Make the loss scalar for `backward`
            grad_clipping(net, 1)
            num_tokens = Y_valid_len.sum()
            optimizer.step()
            with torch.no_grad():
                print(l.sum() / num_tokens)

tgt_vocab = {'<pad>': 0, '<bos>': 1, '<eos>': 2}
batch = (torch.randint(3, 8, (4, 5)), torch.tensor([5, 4, 3, 5]),
         torch.randint(3, 8, (4, 5)), torch.tensor([5, 5, 2, 4]))
encoder = Seq2SeqEncoder(8, 4, 8, 2)
decoder = Seq2SeqDecoder(8, 4, 8, 2)
net = EncoderDecoder(encoder, decoder)
train_seq2seq(net, [batch, batch], 0.005, 2, tgt_vocab, device)
""",
        ),
    ),
    Snippet(
        name="d2l_lr_scheduler",
        source="d2l-en chapter_optimization/lr-scheduler.md (MultiStepLR, custom CosineScheduler)",
        cells=(
            """\
import math
from torch.optim import lr_scheduler

def net_fn():
    model = nn.Sequential(
        nn.Conv2d(1, 2, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(2 * 2 * 2, 10))
    return model

loss = nn.CrossEntropyLoss()
train_iter = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.rand(8, 1, 4, 4), torch.randint(0, 10, (8,))), batch_size=4)

def train(net, train_iter, loss, trainer, num_epochs, device, scheduler=None):
    net.to(device)
    for epoch in range(num_epochs):
        for i, (X, y) in enumerate(train_iter):
            net.train()
            trainer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            l.backward()
            trainer.step()
        if scheduler:
            if scheduler.__module__ == lr_scheduler.__name__:
                # Using PyTorch In-Built scheduler
                scheduler.step()
            else:
                # Using custom defined scheduler
                for param_group in trainer.param_groups:
                    param_group['lr'] = scheduler(epoch)
        print(f'epoch {epoch}, lr {trainer.param_groups[0]["lr"]:.3f}, loss {l.item():.3f}')
""",
            """\
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
scheduler = lr_scheduler.MultiStepLR(trainer, milestones=[1, 2], gamma=0.5)
train(net, train_iter, loss, trainer, 3, device, scheduler)
""",
            """\
class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0,
               warmup_steps=0, warmup_begin_lr=0):
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr
        self.max_steps = self.max_update - self.warmup_steps

    def get_warmup_lr(self, epoch):
        increase = (self.base_lr_orig - self.warmup_begin_lr) \\
                       * float(epoch) / float(self.warmup_steps)
        return self.warmup_begin_lr + increase

    def __call__(self, epoch):
        if epoch < self.warmup_steps:
            return self.get_warmup_lr(epoch)
        if epoch <= self.max_update:
            self.base_lr = self.final_lr + (
                self.base_lr_orig - self.final_lr) * (1 + math.cos(
                math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
        return self.base_lr

scheduler = CosineScheduler(max_update=3, base_lr=0.3, final_lr=0.01)
net = net_fn()
trainer = torch.optim.SGD(net.parameters(), lr=0.3)
train(net, train_iter, loss, trainer, 3, device, scheduler)
""",
        ),
    ),
    # ------------------------------------------------------------------ karpathy
    Snippet(
        name="makemore_bigram_counts_cpu",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part1_bigrams.ipynb (counting, sampling with a Generator)",
        cells=(
            _NAMES,
            """\
N = torch.zeros((27, 27), dtype=torch.int32)
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        N[ix1, ix2] += 1
print(N.sum().item())
""",
            """\
p = N[0].float()
p = p / p.sum()
g = torch.Generator().manual_seed(2147483647)
ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
print(itos[ix])
P = (N+1).float()
P /= P.sum(1, keepdims=True)
""",
            """\
g = torch.Generator().manual_seed(2147483647)

for i in range(3):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print(''.join(out))
""",
            """\
log_likelihood = 0.0
n = 0

for w in words[:5]:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        prob = P[ix1, ix2]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1

print(f'{log_likelihood=}')
nll = -log_likelihood
print(f'{nll=}')
print(f'{nll/n}')
""",
        ),
    ),
    Snippet(
        name="makemore_bigram_nn_on_device",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part1_bigrams.ipynb (neural net version, on the device)",
        cells=(
            _NAMES,
            """\
# create the training set of bigrams (x,y)
xs, ys = [], []
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        xs.append(ix1)
        ys.append(ix2)
xs = torch.tensor(xs).to(device)
ys = torch.tensor(ys).to(device)
num = xs.nelement()
print('number of examples: ', num)

# initialize the 'network'
g = torch.Generator().manual_seed(2147483647)
W = torch.randn((27, 27), generator=g).to(device).requires_grad_()
""",
            """\
# gradient descent
for k in range(3):

    # forward pass
    xenc = F.one_hot(xs, num_classes=27).float() # input to the network: one-hot encoding
    logits = xenc @ W # predict log-counts
    counts = logits.exp() # counts, equivalent to N
    probs = counts / counts.sum(1, keepdims=True) # probabilities for next character
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01*(W**2).mean()
    print(loss.item())

    # backward pass
    W.grad = None # set to zero the gradient
    loss.backward()

    # update
    W.data += -50 * W.grad
""",
        ),
    ),
    Snippet(
        name="makemore_mlp_on_device",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part2_mlp.ipynb (parameters and dataset on the device)",
        cells=(
            _NAMES,
            _MAKEMORE_DATASET
            + """
Xtr, Ytr = Xtr.to(device), Ytr.to(device)
Xdev, Ydev = Xdev.to(device), Ydev.to(device)
""",
            """\
g = torch.Generator().manual_seed(2147483647) # for reproducibility
C = torch.randn((27, 4), generator=g).to(device)
W1 = torch.randn((12, 16), generator=g).to(device)
b1 = torch.randn(16, generator=g).to(device)
W2 = torch.randn((16, 27), generator=g).to(device)
b2 = torch.randn(27, generator=g).to(device)
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters)) # number of parameters in total
for p in parameters:
    p.requires_grad = True

lre = torch.linspace(-3, 0, 1000)
lrs = 10**lre
lri = []
lossi = []
stepi = []
""",
            """\
for i in range(3):

    # minibatch construct
    ix = torch.randint(0, Xtr.shape[0], (32,))

    # forward pass
    emb = C[Xtr[ix]] # (32, 3, 4)
    h = torch.tanh(emb.view(-1, 12) @ W1 + b1) # (32, 16)
    logits = h @ W2 + b2 # (32, 27)
    loss = F.cross_entropy(logits, Ytr[ix])

    # backward pass
    for p in parameters:
        p.grad = None
    loss.backward()

    # update
    lr = 0.1 if i < 100000 else 0.01
    for p in parameters:
        p.data += -lr * p.grad

    # track stats
    stepi.append(i)
    lossi.append(loss.log10().item())

print(loss.item())
""",
            """\
emb = C[Xdev] # (32, 3, 4)
h = torch.tanh(emb.view(-1, 12) @ W1 + b1) # (32, 16)
logits = h @ W2 + b2 # (32, 27)
loss = F.cross_entropy(logits, Ydev)
loss
""",
            """\
# sample from the model
g = torch.Generator().manual_seed(2147483647 + 10)

for _ in range(3):

    out = []
    context = [0] * block_size # initialize with all ...
    while True:
        emb = C[torch.tensor([context])] # (1,block_size,d)
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        logits = h @ W2 + b2
        probs = F.softmax(logits, dim=1).cpu()
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0 or len(out) > 10:
            break

    print(''.join(itos[i] for i in out))
""",
        ),
    ),
    Snippet(
        name="makemore_mlp_embedding_left_on_cpu",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part2_mlp.ipynb (dataset moved, C left on the CPU)",
        cells=(
            _NAMES,
            _MAKEMORE_DATASET
            + """
Xtr, Ytr = Xtr.to(device), Ytr.to(device)
""",
            """\
g = torch.Generator().manual_seed(2147483647) # for reproducibility
C = torch.randn((27, 4), generator=g)
""",
            """\
ix = torch.randint(0, Xtr.shape[0], (32,))
emb = C[Xtr[ix]] # (32, 3, 4)
""",
        ),
        mistake=("C", "Xtr"),
    ),
    Snippet(
        name="makemore_batchnorm_running_stats",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part3_bn.ipynb (bnmean_running, split_loss, on the device)",
        cells=(
            _NAMES,
            _MAKEMORE_DATASET
            + """
Xtr, Ytr = Xtr.to(device), Ytr.to(device)
Xdev, Ydev = Xdev.to(device), Ydev.to(device)
""",
            """\
n_embd = 4 # the dimensionality of the character embedding vectors
n_hidden = 16 # the number of neurons in the hidden layer of the MLP

g = torch.Generator().manual_seed(2147483647) # for reproducibility
C  = torch.randn((vocab_size, n_embd),            generator=g).to(device)
W1 = (torch.randn((n_embd * block_size, n_hidden), generator=g) * (5/3)/((n_embd * block_size)**0.5)).to(device)
W2 = (torch.randn((n_hidden, vocab_size),          generator=g) * 0.01).to(device)
b2 = (torch.randn(vocab_size,                      generator=g) * 0).to(device)

# BatchNorm parameters
bngain = torch.ones((1, n_hidden), device=device)
bnbias = torch.zeros((1, n_hidden), device=device)
bnmean_running = torch.zeros((1, n_hidden), device=device)
bnstd_running = torch.ones((1, n_hidden), device=device)

parameters = [C, W1, W2, b2, bngain, bnbias]
print(sum(p.nelement() for p in parameters)) # number of parameters in total
for p in parameters:
    p.requires_grad = True
""",
            """\
max_steps = 3
batch_size = 8
lossi = []
ud = []

for i in range(max_steps):

    # minibatch construct
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix] # batch X,Y

    # forward pass
    emb = C[Xb] # embed the characters into vectors
    embcat = emb.view(emb.shape[0], -1) # concatenate the vectors
    # Linear layer
    hpreact = embcat @ W1 #+ b1 # hidden layer pre-activation
    # BatchNorm layer
    # -------------------------------------------------------------
    bnmeani = hpreact.mean(0, keepdim=True)
    bnstdi = hpreact.std(0, keepdim=True)
    hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
    with torch.no_grad():
        bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
        bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
    # -------------------------------------------------------------
    # Non-linearity
    h = torch.tanh(hpreact) # hidden layer
    logits = h @ W2 + b2 # output layer
    loss = F.cross_entropy(logits, Yb) # loss function

    # backward pass
    for p in parameters:
        p.grad = None
    loss.backward()

    # update
    lr = 0.1 if i < 100000 else 0.01 # step learning rate decay
    for p in parameters:
        p.data += -lr * p.grad

    # track stats
    if i % 10000 == 0: # print every once in a while
        print(f'{i:7d}/{max_steps:7d}: {loss.item():.4f}')
    lossi.append(loss.log10().item())
    with torch.no_grad():
        ud.append([((lr*p.grad).std() / p.data.std()).log10().item() for p in parameters])
""",
            """\
@torch.no_grad() # this decorator disables gradient tracking
def split_loss(split):
    x,y = {
        'train': (Xtr, Ytr),
        'val': (Xdev, Ydev),
    }[split]
    emb = C[x] # (N, block_size, n_embd)
    embcat = emb.view(emb.shape[0], -1) # concat into (N, block_size * n_embd)
    hpreact = embcat @ W1 # + b1
    #hpreact = bngain * (hpreact - hpreact.mean(0, keepdim=True)) / hpreact.std(0, keepdim=True) + bnbias
    hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
    h = torch.tanh(hpreact) # (N, n_hidden)
    logits = h @ W2 + b2 # (N, vocab_size)
    loss = F.cross_entropy(logits, y)
    print(split, loss.item())

split_loss('train')
split_loss('val')
""",
        ),
    ),
    Snippet(
        name="makemore_manual_backprop_cmp",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part4_backprop.ipynb (cmp, dlogits, on the device)",
        cells=(
            """\
# utility function we will use later when comparing manual gradients to PyTorch gradients
def cmp(s, dt, t):
    ex = torch.all(dt == t.grad).item()
    app = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    print(f'{s:15s} | exact: {str(ex):5s} | approximate: {str(app):5s} | maxdiff: {maxdiff}')

n = 8
vocab_size = 27
logits = torch.randn(n, vocab_size, device=device, requires_grad=True)
Yb = torch.randint(0, vocab_size, (n,), device=device)
""",
            """\
loss_fast = F.cross_entropy(logits, Yb)
loss_fast.backward()
print(loss_fast.item())
""",
            """\
# backward pass
dlogits = F.softmax(logits, 1)
dlogits[range(n), Yb] -= 1
dlogits /= n
cmp('logits', dlogits, logits) # I can only get approximate to be true, my maxdiff is 6e-9
""",
            """\
logprobs = logits.log_softmax(1)
dlogprobs = torch.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0/n
print(dlogprobs.sum().item())
""",
        ),
    ),
    Snippet(
        name="makemore_wavenet_torchified_cpu",
        source="karpathy/nn-zero-to-hero lectures/makemore/makemore_part5_cnn1.ipynb (torch-ified Linear, BatchNorm1d, FlattenConsecutive)",
        cells=(
            _NAMES,
            _MAKEMORE_DATASET.replace("block_size = 3", "block_size = 4"),
            """\
class Linear:

    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5 # note: kaiming init
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])

class BatchNorm1d:

    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        # parameters (trained with backprop)
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        # buffers (trained with a running 'momentum update')
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        # calculate the forward pass
        if self.training:
            if x.ndim == 2:
                dim = 0
            elif x.ndim == 3:
                dim = (0,1)
            xmean = x.mean(dim, keepdim=True) # batch mean
            xvar = x.var(dim, keepdim=True) # batch variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps) # normalize to unit variance
        self.out = self.gamma * xhat + self.beta
        # update the buffers
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]

class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out
    def parameters(self):
        return []

class Embedding:

    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        self.out = self.weight[IX]
        return self.out

    def parameters(self):
        return [self.weight]

class FlattenConsecutive:

    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.view(B, T//self.n, C*self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out

    def parameters(self):
        return []

class Sequential:

    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self):
        # get parameters of all layers and stretch them out into one list
        return [p for layer in self.layers for p in layer.parameters()]
""",
            """\
torch.manual_seed(42); # seed rng for reproducibility
n_embd = 4 # the dimensionality of the character embedding vectors
n_hidden = 8 # the number of neurons in the hidden layer of the MLP
model = Sequential([
    Embedding(vocab_size, n_embd),
    FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
    Linear(n_hidden, vocab_size),
])

# parameter init
with torch.no_grad():
    model.layers[-1].weight *= 0.1 # last layer make less confident

parameters = model.parameters()
print(sum(p.nelement() for p in parameters)) # number of parameters in total
for p in parameters:
    p.requires_grad = True
""",
            """\
max_steps = 3
batch_size = 8
lossi = []

for i in range(max_steps):

    # minibatch construct
    ix = torch.randint(0, Xtr.shape[0], (batch_size,))
    Xb, Yb = Xtr[ix], Ytr[ix] # batch X,Y

    # forward pass
    logits = model(Xb)
    loss = F.cross_entropy(logits, Yb) # loss function

    # backward pass
    for p in parameters:
        p.grad = None
    loss.backward()

    # update: simple SGD
    lr = 0.1 if i < 150000 else 0.01 # step learning rate decay
    for p in parameters:
        p.data += -lr * p.grad

    # track stats
    lossi.append(loss.log10().item())

# put layers into eval mode (needed for batchnorm especially)
for layer in model.layers:
    layer.training = False
print(F.cross_entropy(model(Xdev), Ydev).item())
""",
        ),
    ),
    Snippet(
        name="nanogpt_bigram_train_generate",
        source="karpathy/ng-video-lecture bigram.py",
        cells=(
            _NANOGPT_DATA,
            _NANOGPT_GET_BATCH,
            _NANOGPT_BIGRAM,
            """\
model = BigramLanguageModel(vocab_size)
m = model.to(device)

# create a PyTorch optimizer
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)

for iter in range(max_iters):

    # every once in a while evaluate the loss on train and val sets
    if iter % eval_interval == 0:
        losses = estimate_loss()
        print(f"step {iter}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")

    # sample a batch of data
    xb, yb = get_batch('train')

    # evaluate the loss
    logits, loss = model(xb, yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
""",
            """\
# generate from the model
context = torch.zeros((1, 1), dtype=torch.long, device=device)
print(decode(m.generate(context, max_new_tokens=10)[0].tolist()))
""",
        ),
    ),
    Snippet(
        name="nanogpt_targets_left_on_cpu",
        source="karpathy/ng-video-lecture bigram.py (get_batch moves x but not y)",
        cells=(
            _NANOGPT_DATA,
            """\
def get_batch(split):
    data = train_data if split == 'train' else val_data
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([data[i:i+block_size] for i in ix])
    y = torch.stack([data[i+1:i+block_size+1] for i in ix])
    x = x.to(device)
    return x, y
""",
            _NANOGPT_BIGRAM
            + """
model = BigramLanguageModel(vocab_size).to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
""",
            """\
xb, yb = get_batch('train')
logits, loss = model(xb, yb)
""",
        ),
        mistake=("targets",),
    ),
    Snippet(
        name="nanogpt_gpt_attention_buffer",
        source="karpathy/ng-video-lecture gpt.py (Head with register_buffer('tril'), position embeddings on the device)",
        cells=(
            _NANOGPT_DATA,
            _NANOGPT_GET_BATCH,
            """\
n_embd = 8
n_head = 2
n_layer = 1
dropout = 0.0

class Head(nn.Module):
    \"\"\" one head of self-attention \"\"\"

    def __init__(self, head_size):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer('tril', torch.tril(torch.ones(block_size, block_size)))

        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        # input of size (batch, time-step, channels)
        # output of size (batch, time-step, head size)
        B,T,C = x.shape
        k = self.key(x)   # (B,T,hs)
        q = self.query(x) # (B,T,hs)
        # compute attention scores ("affinities")
        wei = q @ k.transpose(-2,-1) * k.shape[-1]**-0.5 # (B, T, hs) @ (B, hs, T) -> (B, T, T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float('-inf')) # (B, T, T)
        wei = F.softmax(wei, dim=-1) # (B, T, T)
        wei = self.dropout(wei)
        # perform the weighted aggregation of the values
        v = self.value(x) # (B,T,hs)
        out = wei @ v # (B, T, T) @ (B, T, hs) -> (B, T, hs)
        return out

class MultiHeadAttention(nn.Module):
    \"\"\" multiple heads of self-attention in parallel \"\"\"

    def __init__(self, num_heads, head_size):
        super().__init__()
        self.heads = nn.ModuleList([Head(head_size) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = torch.cat([h(x) for h in self.heads], dim=-1)
        out = self.dropout(self.proj(out))
        return out

class FeedFoward(nn.Module):
    \"\"\" a simple linear layer followed by a non-linearity \"\"\"

    def __init__(self, n_embd):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd),
            nn.ReLU(),
            nn.Linear(4 * n_embd, n_embd),
            nn.Dropout(dropout),
        )

    def forward(self, x):
        return self.net(x)

class Block(nn.Module):
    \"\"\" Transformer block: communication followed by computation \"\"\"

    def __init__(self, n_embd, n_head):
        # n_embd: embedding dimension, n_head: the number of heads we'd like
        super().__init__()
        head_size = n_embd // n_head
        self.sa = MultiHeadAttention(n_head, head_size)
        self.ffwd = FeedFoward(n_embd)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        x = x + self.ffwd(self.ln2(x))
        return x
""",
            """\
class GPTLanguageModel(nn.Module):

    def __init__(self):
        super().__init__()
        # each token directly reads off the logits for the next token from a lookup table
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head=n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd) # final layer norm
        self.lm_head = nn.Linear(n_embd, vocab_size)

        # better init, not covered in the original GPT video, but important, will cover in followup video
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        B, T = idx.shape

        # idx and targets are both (B,T) tensor of integers
        tok_emb = self.token_embedding_table(idx) # (B,T,C)
        pos_emb = self.position_embedding_table(torch.arange(T, device=device)) # (T,C)
        x = tok_emb + pos_emb # (B,T,C)
        x = self.blocks(x) # (B,T,C)
        x = self.ln_f(x) # (B,T,C)
        logits = self.lm_head(x) # (B,T,vocab_size)

        if targets is None:
            loss = None
        else:
            B, T, C = logits.shape
            logits = logits.view(B*T, C)
            targets = targets.view(B*T)
            loss = F.cross_entropy(logits, targets)

        return logits, loss

    def generate(self, idx, max_new_tokens):
        # idx is (B, T) array of indices in the current context
        for _ in range(max_new_tokens):
            # crop idx to the last block_size tokens
            idx_cond = idx[:, -block_size:]
            # get the predictions
            logits, loss = self(idx_cond)
            # focus only on the last time step
            logits = logits[:, -1, :] # becomes (B, C)
            # apply softmax to get probabilities
            probs = F.softmax(logits, dim=-1) # (B, C)
            # sample from the distribution
            idx_next = torch.multinomial(probs, num_samples=1) # (B, 1)
            # append sampled index to the running sequence
            idx = torch.cat((idx, idx_next), dim=1) # (B, T+1)
        return idx

model = GPTLanguageModel()
m = model.to(device)
# print the number of parameters in the model
print(sum(p.numel() for p in m.parameters())/1e6, 'M parameters')

# create a PyTorch optimizer
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
""",
            """\
for iter in range(max_iters):

    # every once in a while evaluate the loss on train and val sets
    if iter % eval_interval == 0 or iter == max_iters - 1:
        losses = estimate_loss()
        print(f"step {iter}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")

    # sample a batch of data
    xb, yb = get_batch('train')

    # evaluate the loss
    logits, loss = model(xb, yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()

# generate from the model
context = torch.zeros((1, 1), dtype=torch.long, device=device)
print(decode(m.generate(context, max_new_tokens=10)[0].tolist()))
""",
        ),
    ),
    Snippet(
        name="nanogpt_position_arange_on_cpu",
        source="karpathy/ng-video-lecture gpt.py (torch.arange(T) without device=device)",
        cells=(
            _NANOGPT_DATA,
            """\
n_embd = 8

class TinyGPT(nn.Module):

    def __init__(self):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        tok_emb = self.token_embedding_table(idx) # (B,T,C)
        pos_emb = self.position_embedding_table(torch.arange(T)) # (T,C)
        x = tok_emb + pos_emb # (B,T,C)
        return self.lm_head(x)

model = TinyGPT().to(device)
""",
            """\
context = torch.zeros((1, 1), dtype=torch.long, device=device)
logits = model(context)
""",
        ),
        mistake=("position_embedding_table",),
    ),
    # ------------------------------------------------------------------ PyTorch docs and other public code
    Snippet(
        name="docs_module_to_dtype_device_cpu",
        source="pytorch/pytorch torch/nn/modules/module.py (Module.to docstring example)",
        cells=(
            """\
linear = nn.Linear(2, 2)
linear.weight
""",
            """\
linear.to(torch.double)
linear.weight
""",
            """\
linear.to(device, dtype=torch.half, non_blocking=True)
linear.weight
""",
            """\
cpu = torch.device("cpu")
linear.to(cpu)
linear.weight
""",
            """\
linear = nn.Linear(2, 2, bias=None).to(torch.cdouble)
linear.weight
linear(torch.ones(3, 2, dtype=torch.cdouble))
""",
        ),
    ),
    Snippet(
        name="module_moves_float_chain_and_cpu_back",
        source="pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py (model.float().to(device), nn.Linear(3, 2).to(device), .cpu() back)",
        cells=(
            """\
layer = nn.Linear(3, 2).to(device)
x = torch.randn(4, 3, device=device)
print(layer(x).shape, layer.weight.device)
""",
            """\
model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2)).double()
model = model.float().to(device)
y = model(x)
print(y.dtype, next(model.parameters()).device)
""",
            """\
model.cpu()
print(model(x.cpu()).device, model[0].weight.device)
model.to(device)
print(model(x).sum().item())
""",
        ),
    ),
    Snippet(
        name="optimizer_before_move_adamw",
        source="pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py (pattern: optimizer built before model.to(device), with AdamW)",
        cells=(
            """\
model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=3)
""",
            """\
model.to(device)
before = model[2].weight.detach().clone()
X, y = torch.randn(4, 6, device=device), torch.randint(0, 3, (4,), device=device)
for step in range(3):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    scheduler.step()
    print(step, loss.item(), scheduler.get_last_lr())
assert not torch.equal(before, model[2].weight.detach()), "AdamW did not update the moved model"
print(optimizer.state[model[2].weight]['exp_avg'].device)
""",
        ),
    ),
    Snippet(
        name="docs_swa_averaged_model_deepcopy",
        source="pytorch docs optim.rst (Stochastic Weight Averaging: AveragedModel, SWALR, update_bn) and copy.deepcopy(model) EMA",
        cells=(
            """\
import copy
from torch.optim.swa_utils import AveragedModel, SWALR

loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(torch.randn(8, 4), torch.randint(0, 2, (8,))), batch_size=4)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
swa_model = AveragedModel(model)
swa_scheduler = SWALR(optimizer, swa_lr=0.05)
ema_model = copy.deepcopy(model)
loss_fn = nn.CrossEntropyLoss()
""",
            """\
for epoch in range(2):
    for input, target in loader:
        input, target = input.to(device), target.to(device)
        optimizer.zero_grad()
        loss_fn(model(input), target).backward()
        optimizer.step()
        with torch.no_grad():
            for ema_p, p in zip(ema_model.parameters(), model.parameters()):
                ema_p.mul_(0.9).add_(p, alpha=0.1)
    swa_model.update_parameters(model)
    swa_scheduler.step()

# Update bn statistics for the swa_model at the end
torch.optim.swa_utils.update_bn(loader, swa_model, device=device)
""",
            """\
swa_model.eval()
ema_model.eval()
with torch.no_grad():
    x = torch.randn(2, 4, device=device)
    print(swa_model(x), ema_model(x), swa_model.n_averaged)
""",
        ),
    ),
    Snippet(
        name="docs_set_default_device_factories",
        source="pytorch docs torch.set_default_device (example), used in a notebook",
        cells=(
            """\
torch.tensor([1.2, 3]).device
""",
            """\
torch.set_default_device(device)
a = torch.tensor([1.2, 3])
z = torch.zeros(2, 3)
r = torch.arange(4)
lin = nn.Linear(3, 2)
print(a.device, z.device, r.device, lin.weight.device)
print(lin(z).sum().item(), (a * 2).tolist())
""",
            """\
torch.set_default_device('cpu')
print(torch.zeros(1).device, a.device)
""",
        ),
    ),
    Snippet(
        name="docs_scalar_tensor_mixing",
        source="pytorch docs torch.where / torch.full_like / Tensor.fill_ examples, on a device tensor with CPU 0-dim values",
        cells=(
            """\
x = torch.randn(3, 2, device=device)
y = torch.ones(3, 2, device=device)
print(torch.where(x > 0, 1.0, 0.0))
print(torch.where(x > 0, x, y))
print(torch.where(x > 0, x, 0.))
""",
            """\
xs = torch.zeros(2, 3, device=device)
print(torch.full_like(xs, torch.tensor(2.)))
scale = torch.tensor(0.5)
print(xs + 1 * scale, x * torch.tensor(3.0))
""",
            """\
t = torch.empty(4, device=device)
t.fill_(torch.tensor(1.5))
print(t)
t.masked_fill_(t > 1, torch.tensor(0.25))
print(t.sum().item())
""",
        ),
    ),
    Snippet(
        name="docs_addcmul_cpu_scalar_tensor",
        source="pytorch docs torch.addcmul example (tensor1 given as a CPU 0-dim tensor)",
        cells=(
            """\
x = torch.randn(3, device=device)
scale = torch.tensor(0.5)
""",
            """\
torch.addcmul(x, scale, x)
""",
        ),
        mistake=("scale",),
    ),
    Snippet(
        name="harvardnlp_greedy_decode_type_as",
        source="harvardnlp/annotated-transformer the_annotated_transformer.py (subsequent_mask, greedy_decode with type_as)",
        cells=(
            """\
def subsequent_mask(size):
    "Mask out subsequent positions."
    attn_shape = (1, size, size)
    subsequent_mask = torch.triu(torch.ones(attn_shape), diagonal=1).type(
        torch.uint8
    )
    return subsequent_mask == 0

class Generator(nn.Module):
    "Define standard linear + softmax generation step."

    def __init__(self, d_model, vocab):
        super(Generator, self).__init__()
        self.proj = nn.Linear(d_model, vocab)

    def forward(self, x):
        return F.log_softmax(self.proj(x), dim=-1)

class TinyEncoderDecoder(nn.Module):
    def __init__(self, vocab, d_model):
        super().__init__()
        self.src_embed = nn.Embedding(vocab, d_model)
        self.tgt_embed = nn.Embedding(vocab, d_model)
        self.generator = Generator(d_model, vocab)

    def encode(self, src, src_mask):
        return self.src_embed(src) * src_mask.transpose(-2, -1)

    def decode(self, memory, src_mask, tgt, tgt_mask):
        x = self.tgt_embed(tgt)
        scores = x @ x.transpose(-2, -1)
        scores = scores.masked_fill(tgt_mask == 0, -1e9)
        return scores.softmax(dim=-1) @ x + memory.mean(1, keepdim=True)
""",
            """\
def greedy_decode(model, src, src_mask, max_len, start_symbol):
    memory = model.encode(src, src_mask)
    ys = torch.zeros(1, 1).fill_(start_symbol).type_as(src.data)
    for i in range(max_len - 1):
        out = model.decode(
            memory, src_mask, ys, subsequent_mask(ys.size(1)).type_as(src.data)
        )
        prob = model.generator(out[:, -1])
        _, next_word = torch.max(prob, dim=1)
        next_word = next_word.data[0]
        ys = torch.cat(
            [ys, torch.zeros(1, 1).type_as(src.data).fill_(next_word)], dim=1
        )
    return ys

test_model = TinyEncoderDecoder(11, 8).to(device)
test_model.eval()
src = torch.LongTensor([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]).to(device)
src_mask = torch.ones(1, 1, 10).to(device)
print("Example Untrained Model Prediction:", greedy_decode(test_model, src, src_mask, max_len=6, start_symbol=0))
""",
        ),
    ),
)
