// Render entry of the tensor-inspector panel (anywidget): builds the components, feeds them
// the model's traits and broadcasts, and turns clicks into commands. Knows rows, not torch.
import "./style.css";
import { DeviceHeader, moveContext } from "./components/DeviceHeader.js";
import { Dialogs } from "./components/Dialogs.js";
import { FlagBar } from "./components/FlagBar.js";
import { GraphView } from "./components/GraphView.js";
import { MemoryLine } from "./components/MemoryLine.js";
import { MessageLine } from "./components/MessageLine.js";
import { ModuleLines } from "./components/ModuleLines.js";
import { PictureView } from "./components/PictureView.js";
import { canDockFrom, isDocked, PlacementLine, whenAttached } from "./components/PlacementLine.js";
import { TensorTable } from "./components/TensorTable.js";
import { ViewControls } from "./components/ViewControls.js";
import { element } from "./dom.js";

const RESTARTED = "kernel restarted: run %load_ext tensor_inspector again";
const COMMAND_TIMEOUT_MS = 120_000; // a backward through a large model can take a while

/** @param {{model: import("@anywidget/types").AnyModel<import("./types.js").Model>, el: HTMLElement, experimental: {invoke: Function}}} context */
function render({ model, el, experimental }) {
  const message = new MessageLine();
  const dialogs = new Dialogs();

  /**
   * Runs a command in the kernel; the reply is this view's alone.
   * @returns {Promise<import("./types.js").Reply>}
   */
  const call = async (name, msg = {}) => {
    try {
      const [reply] = await experimental.invoke(name, msg, { signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS) });
      return reply;
    } catch (error) {
      // Sending on a closed comm (the kernel restarted) throws; a silent kernel times out.
      const text = error?.name === "TimeoutError" ? "No answer from the kernel: is a cell still running?" : RESTARTED;
      return { ok: false, level: "error", text };
    }
  };
  /** An action: its reply shows here, and a dialog closes once the action succeeded. */
  const act = async (name, msg) => {
    const reply = await call(name, msg);
    message.show(reply.text, reply.level);
    if (reply.ok) dialogs.close();
  };

  const showGraph = async (name, msg = {}) => {
    const reply = await call("graph", { name, ...msg });
    if (reply.ok) graph.show(name, reply.graph);
    else message.show(reply.text, reply.level);
  };
  /** backward() that records the gradient into each node, then shows it on the graph. */
  const tracedBackward = async (msg) => {
    const reply = await call("backward", { ...msg, trace: true });
    message.show(reply.text, reply.level);
    if (!reply.ok) return;
    dialogs.close();
    graph.show(msg.name, reply.graph);
  };
  const graph = new GraphView({
    onExpand: (name, expand) => showGraph(name, { expand }),
    onTrace: (name) => {
      const row = table.row(name);
      if (!row || row.numel === 1) tracedBackward({ name });
      else dialogs.askGradient(row, (choice) => tracedBackward({ name, ...choice }));
    },
  });
  const picture = new PictureView({ request: (msg) => call("picture", msg) });
  const scanMemory = async () => {
    const reply = await call("unnamed");
    if (reply.ok) memory.show(reply);
    else message.show(reply.text, reply.level);
  };
  const memory = new MemoryLine({
    onScan: scanMemory,
    onRelease: async (kind) => {
      await act("release", { kind });
      await scanMemory();
    },
  });
  const header = new DeviceHeader({ onTarget: () => showTarget(), onZeroAll: () => act("zero_grad_all") });
  const flag = new FlagBar({ onFix: (name, device) => act("apply_fix", { name, device }) });
  const modules = new ModuleLines({
    onMove: (name, device) => act("move", { name, device }),
    onStats: async (name) => {
      const context = moveContext(model.get("devices"), header.target);
      if (modules.stats.has(name)) return modules.showStats(name, null, model.get("modules"), context);
      const reply = await call("stats", { name });
      if (reply.ok) modules.showStats(name, reply.stats, model.get("modules"), context);
      else message.show(reply.text, reply.level);
    },
  });
  const table = new TensorTable({
    move: (name) => {
      const row = table.row(name);
      const device = header.target;
      if (row?.grad_fn) dialogs.confirmMove(row, device, () => act("move", { name, device }));
      else act("move", { name, device });
    },
    backward: (name) => {
      const row = table.row(name);
      if (!row) return;
      // With this tensor's graph open, backward() is traced, and the graph shows its numbers.
      const run = graph.name === name && !graph.el.hidden ? tracedBackward : (msg) => act("backward", msg);
      if (row.numel === 1) run({ name });
      else dialogs.askGradient(row, (choice) => run({ name, ...choice }));
    },
    zeroGrad: (name) => act("zero_grad", { name }),
    graph: (name) => (graph.name === name && !graph.el.hidden ? graph.hide() : showGraph(name)),
    picture: async (name, of) => {
      await picture.toggle(name, of);
      if (picture.open) picture.el.scrollIntoView({ block: "nearest" });
    },
    stats: async (name) => {
      if (table.stats.has(name)) return table.showStats(name, null);
      const reply = await call("stats", { name });
      if (reply.ok) table.showStats(name, reply.stats);
      else message.show(reply.text, reply.level);
    },
  });
  const controls = new ViewControls({
    onChange: (options) => table.setOptions(options),
    onPage: (step) => table.setOptions({ page: table.options.page + step }),
  });
  const empty = element("div", { className: "ti-empty" }, "No tensors yet: create one and it shows up here.");
  const truncated = element("div", { "data-role": "truncated", hidden: true });
  table.onRender = (view) => {
    controls.update(view);
    empty.hidden = table.size > 0;
  };
  // Docked in the sidebar, or this cell's copy of a docked panel (folded to one line).
  const where = { docked: false, folded: false, shownHere: false };
  const placement = new PlacementLine({
    onShowHere: () => {
      where.shownHere = true;
      showPlacement();
    },
  });
  const root = element(
    "div",
    { className: "tensor-inspector" },
    placement.el,
    header.el,
    memory.el,
    flag.el,
    message.el,
    dialogs.el,
    modules.el,
    controls.el,
    table.el,
    graph.el,
    picture.el,
    empty,
    truncated,
  );
  el.appendChild(root);

  const showTarget = () => {
    const context = moveContext(model.get("devices"), header.target);
    table.setContext(context);
    modules.update(model.get("modules"), context);
  };
  const showDevices = () => {
    header.update(model.get("devices"));
    showTarget();
  };
  const showNotice = () => {
    const notice = model.get("message") || {};
    if (notice.text) message.show(notice.text, notice.level);
  };
  const showFlag = () => flag.update(model.get("flag"));
  const showMemory = () => header.showMemory(model.get("memory"));
  const showModules = () => modules.update(model.get("modules"), moveContext(model.get("devices"), header.target));
  const showTruncated = () => {
    const entries = Object.entries(model.get("truncated") || {});
    truncated.textContent = entries.map(([path, more]) => `${path}: +${more} more`).join(" · ");
    truncated.hidden = entries.length === 0;
  };
  const showPlacement = () => {
    const state = model.get("placement") || {};
    where.folded = state.state === "side" && !where.docked && !where.shownHere;
    root.dataset.docked = String(where.docked);
    root.dataset.folded = String(where.folded);
    placement.update(state, where);
  };
  /** The cell's view of a panel asked to dock sends "dock", saying whether its page can. */
  const askToDock = async () => {
    if ((model.get("placement") || {}).state !== "asked" || where.docked || !el.isConnected) return;
    const reply = await call("dock", { here: canDockFrom(el) });
    if (!reply.ok) message.show(reply.text, reply.level);
  };
  const onPlacement = () => {
    showPlacement();
    askToDock();
  };
  /** Docked beside the code, the panel scrolls to what the last cell made or changed. */
  const revealChanged = (rows) => {
    const changed = rows.find((row) => row.status === "new" || row.status === "changed");
    if (!changed) return;
    const line = table.body.querySelector(`tr[data-tensor="${CSS.escape(changed.name)}"]`);
    line?.scrollIntoView({ block: "nearest" });
  };
  whenAttached(el, () => {
    where.docked = isDocked(el);
    onPlacement();
    if (where.docked) revealChanged([...table.data.values()]);
  });
  const onBroadcast = (msg) => {
    if (msg?.kind !== "changes") return; // command replies are matched by invoke
    table.remove(msg.remove);
    table.upsert(msg.upsert);
    for (const name of msg.remove) picture.rowRemoved(name);
    for (const row of msg.upsert) picture.rowChanged(row);
    if (where.docked) revealChanged(msg.upsert);
  };

  const listeners = {
    "change:devices": showDevices,
    "change:message": showNotice,
    "change:truncated": showTruncated,
    "change:modules": showModules,
    "change:flag": showFlag,
    "change:memory": showMemory,
    "change:placement": onPlacement,
    "msg:custom": onBroadcast,
  };
  for (const [event, listener] of Object.entries(listeners)) model.on(event, listener);
  showDevices();
  showNotice();
  showTruncated();
  showFlag();
  showMemory();
  showPlacement();
  table.render();
  call("snapshot").then((reply) => {
    if (!reply.ok) return message.show(reply.text, reply.level);
    table.replaceAll(reply.rows);
    if (where.docked) revealChanged(reply.rows);
  });

  return () => {
    for (const [event, listener] of Object.entries(listeners)) model.off(event, listener);
  };
}

export default { render };
