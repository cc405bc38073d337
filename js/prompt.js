// The panel's dialogs: the gradient prompt for backward() and the confirmation of a move.

function button(action, label) {
  const element = document.createElement("button");
  element.type = "button";
  element.dataset.action = action;
  element.textContent = label;
  return element;
}

function describeOutput(row) {
  const shape = `[${(row.shape ?? []).join(", ")}]`;
  return `${shape}, ${(row.dtype ?? "").replace(/^torch\./, "")}, on ${row.device}`;
}

// Asks for the gradient of a non-scalar output; calls onConfirm({gradient, retain_graph}).
export function gradientPrompt(row, onConfirm, onCancel) {
  const prompt = document.createElement("form");
  prompt.dataset.role = "gradient-prompt";
  prompt.dataset.tensor = row.name;
  prompt.className = "ti-dialog";

  const title = document.createElement("div");
  title.textContent = `backward() from ${row.name}: it has shape ${describeOutput(row)}, so it needs a gradient of that shape.`;
  const hint = document.createElement("div");
  hint.className = "ti-hint";
  hint.textContent = "ones, zeros, a number, a nested list such as [1, 1, 1], or the name of a tensor";

  const gradient = document.createElement("input");
  gradient.name = "gradient";
  gradient.value = "ones";
  gradient.spellcheck = false;
  gradient.setAttribute("aria-label", "gradient");

  const retainLabel = document.createElement("label");
  const retain = document.createElement("input");
  retain.type = "checkbox";
  retain.name = "retain_graph";
  retainLabel.append(retain, " retain_graph");

  const confirm = button("confirm", "Run backward");
  confirm.type = "submit";
  const cancel = button("cancel", "Cancel");

  prompt.append(title, hint, gradient, retainLabel, confirm, cancel);
  prompt.addEventListener("submit", (event) => {
    event.preventDefault();
    onConfirm({ gradient: gradient.value, retain_graph: retain.checked });
  });
  cancel.addEventListener("click", onCancel);
  return prompt;
}

// Asks before moving a tensor that has a grad_fn, since the move takes it out of the graph.
export function moveConfirmation(row, target, onConfirm, onCancel) {
  const dialog = document.createElement("div");
  dialog.dataset.role = "confirm-move";
  dialog.dataset.tensor = row.name;
  dialog.className = "ti-dialog";
  const text = document.createElement("div");
  text.textContent =
    `${row.name} was computed (grad_fn ${row.grad_fn}). Moving it to ${target} makes a new leaf: ` +
    "it leaves the autograd graph, and backward() through it will no longer reach its inputs.";
  const confirm = button("confirm", `Move to ${target}`);
  const cancel = button("cancel", "Cancel");
  confirm.addEventListener("click", onConfirm);
  cancel.addEventListener("click", onCancel);
  dialog.append(text, confirm, cancel);
  return dialog;
}
