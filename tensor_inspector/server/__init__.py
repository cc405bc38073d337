"""jupyter-server extension: a kernels overview page and its JSON API, at
<base_url>/tensor-inspector/ and <base_url>/tensor-inspector/api/kernels."""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from tensor_inspector.server.handlers import KernelsApiHandler, OverviewPageHandler


def _load_jupyter_server_extension(serverapp) -> None:
    base = url_path_join(serverapp.web_app.settings["base_url"], "tensor-inspector")
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "api", "kernels"), KernelsApiHandler),
            (base + "/?", OverviewPageHandler),
        ],
    )
    serverapp.log.info("tensor-inspector: kernels overview at %s/", base)


# Older jupyter_server and notebook look for this name.
load_jupyter_server_extension = _load_jupyter_server_extension
