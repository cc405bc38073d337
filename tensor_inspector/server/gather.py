"""Ask every running kernel what it holds, without blocking the server: a busy kernel is
reported as busy, a slow one times out, and all are asked at once."""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import time

from jupyter_server.utils import ensure_async

# Evaluated in the kernel; a kernel that never loaded tensor-inspector imports nothing.
EXPRESSION = (
    "__import__('json').dumps(__import__('tensor_inspector.overview').overview.kernel_overview()) "
    "if 'tensor_inspector' in __import__('sys').modules else '{\"loaded\": false}'"
)
TIMEOUT_S = 2.0
# A kernel's answer longer than this (its repr) is not read: a few largest tensors fit in
# a few kilobytes, and a kernel of another version must not make the server parse megabytes.
MAX_ANSWER_CHARS = 256 * 1024
UNREADABLE = "unreadable answer"


# kernel id -> the question in flight: parallel page loads share it instead of queueing
# questions behind each other in the kernel (which made idle kernels time out as "busy").
_IN_FLIGHT: dict[str, asyncio.Future] = {}
# kernel id -> when our last question to it was answered: the server may still show the
# kernel busy with it for a moment, which is not a running cell.
_ANSWERED_AT: dict[str, float] = {}
STALE_BUSY_S = 1.0


async def gather(serverapp, log: logging.Logger) -> list[dict]:
    sessions = {
        session["kernel"]["id"]: session
        for session in await ensure_async(serverapp.session_manager.list_sessions())
    }
    kernels = serverapp.kernel_manager.list_kernels()
    asked = (_one(serverapp, log, k, sessions.get(k["id"])) for k in kernels)
    return list(await asyncio.gather(*asked))


async def _shared_ask(serverapp, kernel_id: str) -> dict:
    pending = _IN_FLIGHT.get(kernel_id)
    if pending is None:
        pending = asyncio.ensure_future(asyncio.wait_for(_ask(serverapp, kernel_id), TIMEOUT_S))
        _IN_FLIGHT[kernel_id] = pending

        def done(_):
            _IN_FLIGHT.pop(kernel_id, None)
            _ANSWERED_AT[kernel_id] = time.monotonic()

        pending.add_done_callback(done)
    return await asyncio.shield(pending)


async def _one(serverapp, log: logging.Logger, kernel: dict, session: dict | None) -> dict:
    entry = {
        "id": kernel["id"],
        "name": kernel.get("name"),
        "state": kernel.get("execution_state"),
        "path": (session or {}).get("path"),
        "inspector": None,
    }
    just_answered = time.monotonic() - _ANSWERED_AT.get(kernel["id"], -STALE_BUSY_S) < STALE_BUSY_S
    if entry["state"] == "busy" and kernel["id"] not in _IN_FLIGHT and not just_answered:
        return entry  # asking would wait behind the running cell
    if kernel["id"] in _IN_FLIGHT:
        entry["state"] = "idle"  # busy answering our own question, which this page shares
    try:
        entry["inspector"] = await _shared_ask(serverapp, kernel["id"])
    except asyncio.TimeoutError:
        entry["state"] = "busy"
    except Exception as error:
        log.warning("tensor-inspector: asking kernel %s failed", kernel["id"], exc_info=True)
        entry["error"] = f"{type(error).__name__}: {error}"
    else:
        if (entry["inspector"] or {}).get("error"):
            log.warning(
                "tensor-inspector: kernel %s answered %s", kernel["id"], entry["inspector"]["error"]
            )
    return entry


def read_answer(text: object) -> dict:
    """The kernel's answer as a dict, or an error entry: never an exception, whatever a
    kernel (another version, a broken one) sends. ``text`` is the repr of a JSON string: a
    Python literal, read without evaluating."""
    if not isinstance(text, str):
        return {"loaded": False, "error": UNREADABLE}
    if len(text) > MAX_ANSWER_CHARS:
        return {"loaded": False, "error": f"{UNREADABLE}: {len(text):,} characters, too long"}
    try:
        answer = json.loads(ast.literal_eval(text))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return {"loaded": False, "error": UNREADABLE}
    if not isinstance(answer, dict):
        return {"loaded": False, "error": UNREADABLE}
    return answer


async def _ask(serverapp, kernel_id: str) -> dict:
    manager = serverapp.kernel_manager.get_kernel(kernel_id)
    client = manager.client()
    client.start_channels(iopub=False, stdin=False, hb=False, control=False)
    try:
        msg_id = client.execute(
            "", silent=True, store_history=False, user_expressions={"ti": EXPRESSION}
        )
        while True:
            reply = await client.get_shell_msg()
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        result = reply["content"].get("user_expressions", {}).get("ti", {})
        if result.get("status") != "ok":
            return {"loaded": False, "error": f"{result.get('ename')}: {result.get('evalue')}"}
        return read_answer(result.get("data", {}).get("text/plain"))
    finally:
        client.stop_channels()
