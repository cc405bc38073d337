// What VS Code's notebook webview does with a widget output, without VS Code: a kernel
// connection from @jupyterlab/services (the version vscode-jupyter locks), VS Code's own
// widget manager (@vscode/jupyter-ipywidgets8), and third-party widget code (anywidget)
// loaded from the kernel environment's classic nbextensions through requirejs.
import { ServerConnection } from "@jupyterlab/services";
import { KernelConnection } from "@jupyterlab/services/lib/kernel/default";

const registered = new Set(["@jupyter-widgets/controls", "@jupyter-widgets/base", "@jupyter-widgets/output"]);

// VS Code's script loader: a widget module is nbextensions/<module>/index, by requirejs.
const scriptLoader = {
  widgetsRegisteredInRequireJs: registered,
  errorHandler: (className, moduleName, moduleVersion, error) => {
    window.harnessErrors.push(`${moduleName}@${moduleVersion} ${className}: ${error}`);
  },
  successHandler: () => {},
  loadWidgetScript: (moduleName) =>
    new Promise((resolve, reject) => {
      window.requirejs.config({ map: { "*": { [moduleName]: `nbextensions/${moduleName}/index` } } });
      window.requirejs([moduleName], () => {
        registered.add(moduleName);
        resolve();
      }, reject);
    }),
};

window.harnessErrors = [];

window.startHarness = async ({ baseUrl, token, kernelId, kernelName }) => {
  const serverSettings = ServerConnection.makeSettings({ baseUrl, wsUrl: baseUrl.replace(/^http/, "ws"), token });
  const kernel = new KernelConnection({ model: { id: kernelId, name: kernelName }, serverSettings });
  await new Promise((resolve) => {
    if (kernel.connectionStatus === "connected") resolve();
    kernel.connectionStatusChanged.connect((_, status) => status === "connected" && resolve());
  });
  const root = document.getElementById("outputs");
  // VS Code's logger: (message, category) => void.
  const logger = (message, category) => {
    if (category === "error") window.harnessErrors.push(String(message));
  };
  const { WidgetManager } = window.vscIPyWidgets;
  const manager = new WidgetManager(kernel, root, scriptLoader, logger);
  // What VS Code's renderWidget does with a display_data of a widget view.
  // The comm_open reaches this page over its own socket, maybe after the display_data
  // reached the cell runner: wait for the model, as VS Code's renderer does.
  const modelOf = async (modelId) => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      try {
        return await manager.get_model(modelId);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`widget model ${modelId} never arrived`);
  };
  window.renderWidget = async (modelId) => {
    const model = await modelOf(modelId);
    const view = await manager.create_view(model);
    const node = document.createElement("div");
    node.className = "cell-output";
    root.appendChild(node);
    await manager.display_view(undefined, view, { node });
  };
};
