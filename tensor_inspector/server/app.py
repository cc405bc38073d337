"""The extension app: its handlers and templates, on jupyter_server's ExtensionApp."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.extension.application import ExtensionApp, ExtensionAppJinjaMixin

from tensor_inspector.server.handlers import KernelsApiHandler, OverviewPageHandler

TEMPLATES = Path(__file__).parent / "templates"


class TensorInspectorApp(ExtensionAppJinjaMixin, ExtensionApp):
    name = "tensor_inspector"
    load_other_extensions = True
    template_paths = [str(TEMPLATES)]  # noqa: RUF012 (a traitlets default)

    def initialize_handlers(self) -> None:
        self.handlers.extend(
            [
                (r"/tensor-inspector/api/kernels", KernelsApiHandler),
                (r"/tensor-inspector/?", OverviewPageHandler),
            ]
        )
        self.log.info("tensor-inspector: kernels overview at /tensor-inspector/")
