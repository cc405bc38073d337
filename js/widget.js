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
import { canDockFrom, closeStaleTab, isDocked, PlacementLine, VIEWS, whenAttached } from "./components/PlacementLine.js";
import { TensorTable } from "./components/TensorTable.js";
import { ViewControls } from "./components/ViewControls.js";
import { element } from "./dom.js";

const KERNEL_GONE =
  "This panel's kernel has stopped (restarted or shut down), so its values are out of date and its buttons do nothing. " +
  "Run the notebook again: it shows a live panel.";
const COMMAND_TIMEOUT_MS = 120_000; // a backward through a large model can take a while

/** @param {{model: import("@anywidget/types").AnyModel<import("./types.js").Model>, el: HTMLElement, experimental: {invoke: Function}}} context */
function render({ model, el, experimental }) {
  // The kernel behind this view stopped (a restart, a shutdown): nothing it asks can be
  // answered. JupyterLab's and Notebook 7's widget manager hold the kernel, which says when it
  // restarts or dies; elsewhere a send that fails tells, or the manager marks the view.
  let lost = false;
  const kernelGone = () => lost || !!el.closest(".jupyter-widgets-disconnected");
  const markGone = () => {
    lost = true;
    showConnection();
  };
  const kernel = model.widget_manager?.kernel;
  const onKernelStatus = (_kernel, status) => {
    if (status === "restarting" || status === "autorestarting" || status === "dead") markGone();
  };
  kernel?.statusChanged?.connect?.(onKernelStatus);
  const message = new MessageLine();
  const dialogs = new Dialogs();

  /**
   * Runs a command in the kernel; the reply is this view's alone.
   * @returns {Promise<import("./types.js").Reply>}
   */
  const call = async (name, msg = {}) => {
    if (kernelGone()) return { ok: false, level: "error", text: KERNEL_GONE };
    try {
      const [reply] = await experimental.invoke(name, msg, { signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS) });
      return reply;
    } catch (error) {
      // Sending on a closed comm (the kernel restarted) throws; a silent kernel times out.
      if (error?.name === "TimeoutError") return { ok: false, level: "error", text: "No answer from the kernel: is a cell still running?" };
      markGone();
      return { ok: false, level: "error", text: KERNEL_GONE };
    }
  };
  // An action's prompt and message show where its click was: under the row, above the graph,
  // after the module lines, or under the header. A message belongs to one action: the next
  // click clears it, and the next cell dims it.
  const answers = element("div", { className: "ti-answers", "data-role": "answers" }, dialogs.el, message.el);
  /** @type {{row?: string, before?: HTMLElement, after?: HTMLElement}} */
  let anchor = {};
  const placeAnswers = () => {
    if (anchor.row != null) table.answerUnder(anchor.row, answers);
    else if (table.answer) table.answerUnder(null);
    if (anchor.before) anchor.before.before(answers);
    else if (anchor.after) anchor.after.after(answers);
    else if (!answers.isConnected || anchor.row == null) modules.el.before(answers);
  };
  /** A click starts an action: the last action's message and prompt go. */
  const begin = (where = {}) => {
    anchor = where;
    message.clear();
    dialogs.close();
    placeAnswers();
  };
  const reveal = () => answers.scrollIntoView({ block: "nearest" });
  const say = (reply) => {
    message.show(reply.text, reply.level);
    reveal();
  };
  /** An action: its reply shows where it was asked, and a dialog closes once the action succeeded. */
  const act = async (name, msg) => {
    message.clear();
    const reply = await call(name, msg);
    say(reply);
    if (reply.ok) dialogs.close();
  };
  const ask = (open) => {
    open();
    reveal();
  };

  const showGraph = async (name, msg = {}) => {
    const reply = await call("graph", { name, ...msg });
    if (reply.ok) graph.show(name, reply.graph);
    else say(reply);
  };
  /** backward() that records the gradient into each node, then shows it on the graph. */
  const tracedBackward = async (msg) => {
    message.clear();
    const reply = await call("backward", { ...msg, trace: true });
    if (reply.ok) {
      dialogs.close();
      graph.show(msg.name, reply.graph);
    }
    say(reply);
  };
  const graph = new GraphView({
    onExpand: (name, expand) => {
      begin({ before: graph.el });
      showGraph(name, { expand });
    },
    onTrace: (name, options = {}) => {
      begin({ before: graph.el });
      const row = table.row(name);
      if (!row || row.numel === 1) tracedBackward({ name, ...options });
      else ask(() => dialogs.askGradient(row, (choice) => tracedBackward({ name, ...choice }), options));
    },
  });
  const picture = new PictureView({ request: (msg) => call("picture", msg) });
  const scanMemory = async () => {
    const reply = await call("unnamed");
    if (reply.ok) memory.show(reply);
    else say(reply);
  };
  const memory = new MemoryLine({
    onScan: () => {
      begin({ after: memory.el });
      scanMemory();
    },
    onRelease: async (kind) => {
      begin({ after: memory.el });
      await act("release", { kind });
      await scanMemory();
    },
  });
  const header = new DeviceHeader({
    onTarget: () => showTarget(),
    onZeroAll: () => {
      begin();
      act("zero_grad_all");
    },
  });
  const flag = new FlagBar({
    onFix: (name, device) => {
      begin({ after: flag.el });
      act("apply_fix", { name, device });
    },
  });
  const modules = new ModuleLines({
    onMove: (name, device) => {
      begin({ after: modules.el });
      act("move", { name, device });
    },
    onStats: async (name) => {
      begin({ after: modules.el });
      const context = moveContext(model.get("devices"), header.target);
      if (modules.stats.has(name)) return modules.showStats(name, null, model.get("modules"), context);
      const reply = await call("stats", { name });
      if (reply.ok) modules.showStats(name, reply.stats, model.get("modules"), context);
      else say(reply);
    },
  });
  const table = new TensorTable({
    move: (name) => {
      begin({ row: name });
      const row = table.row(name);
      const device = header.target;
      if (row?.grad_fn) ask(() => dialogs.confirmMove(row, device, () => act("move", { name, device })));
      else act("move", { name, device });
    },
    backward: (name) => {
      begin({ row: name });
      const row = table.row(name);
      if (!row) return;
      // With this tensor's graph open, backward() is traced, and the graph shows its numbers.
      const run = graph.name === name && !graph.el.hidden ? tracedBackward : (msg) => act("backward", msg);
      if (row.numel === 1) run({ name });
      else ask(() => dialogs.askGradient(row, (choice) => run({ name, ...choice })));
    },
    zeroGrad: (name) => {
      begin({ row: name });
      act("zero_grad", { name });
    },
    graph: (name) => {
      begin({ row: name });
      if (graph.name === name && !graph.el.hidden) graph.hide();
      else showGraph(name);
    },
    picture: async (name, of) => {
      await picture.toggle(name, of);
      if (picture.open) picture.el.scrollIntoView({ block: "nearest" });
    },
    stats: async (name) => {
      begin({ row: name });
      if (table.stats.has(name)) return table.showStats(name, null);
      const reply = await call("stats", { name });
      if (reply.ok) table.showStats(name, reply.stats);
      else say(reply);
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
    // The clicked row went (deleted, filtered out, on another page): its answers show on top.
    if (table.answer && !table.body.contains(answers)) modules.el.before(answers);
  };
  // Docked in the sidebar, or this cell's copy of a docked panel (folded to one line).
  const where = { docked: false, folded: false, shownHere: false };
  const placement = new PlacementLine({
    onShowHere: () => {
      where.shownHere = true;
      showPlacement();
    },
  });
  const gone = element("div", { "data-role": "kernel-gone", hidden: true }, KERNEL_GONE);
  const root = element(
    "div",
    { className: "tensor-inspector" },
    gone,
    placement.el,
    header.el,
    memory.el,
    flag.el,
    answers,
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
  const showMemory = () => {
    header.showMemory(model.get("memory"));
    message.dim(); // a cell ran since the message came
  };
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
    if (!reply.ok) say(reply);
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
  /** Says plainly that the kernel is gone; the panel's buttons go inert (style.css). */
  const showConnection = () => {
    const lost = kernelGone();
    root.dataset.kernel = lost ? "gone" : "live";
    gone.hidden = !lost;
    if (lost) dialogs.close();
  };
  const view = { el, manager: model.widget_manager, gone: kernelGone, box: () => (model.get("placement") || {}).box };
  VIEWS.add(view);
  /** One Tensors tab per notebook: a live docked panel closes the ones its kernel left. */
  const replaceStaleTabs = () => {
    for (const other of VIEWS) {
      if (other !== view && other.manager === view.manager && other.gone() && isDocked(other.el)) closeStaleTab(other);
    }
  };
  whenAttached(el, () => {
    where.docked = isDocked(el);
    onPlacement();
    if (where.docked) revealChanged([...table.data.values()]);
    if (where.docked && !kernelGone()) replaceStaleTabs();
  });
  const onBroadcast = (msg) => {
    if (msg?.kind !== "changes") return; // command replies are matched by invoke
    message.dim(); // a cell (or an action, whose reply comes next) changed the tensors
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
    comm_live_update: showConnection,
  };
  for (const [event, listener] of Object.entries(listeners)) model.on(event, listener);
  showDevices();
  showNotice();
  showTruncated();
  showFlag();
  showMemory();
  showPlacement();
  showConnection();
  table.render();
  call("snapshot").then((reply) => {
    if (!reply.ok) return message.show(reply.text, reply.level);
    table.replaceAll(reply.rows);
    if (where.docked) revealChanged(reply.rows);
  });

  return () => {
    kernel?.statusChanged?.disconnect?.(onKernelStatus);
    VIEWS.delete(view);
    for (const [event, listener] of Object.entries(listeners)) model.off(event, listener);
  };
}

export default { render };
