"""jupyter-server extension: a kernels overview page and its JSON API, at
<base_url>/tensor-inspector/ and <base_url>/tensor-inspector/api/kernels."""

from __future__ import annotations

from tensor_inspector.server.app import TensorInspectorApp

__all__ = ["TensorInspectorApp"]
