"""What a picture of values costs: reading a 64x64 picture of a 4096x4096 tensor on the
simulated device (time, transfers, bytes copied), and drawing 64x64 and 256x256 pictures in
Chromium (the panel's own PictureView: colours, canvas, legend)."""

from __future__ import annotations

import json

import torch

from bench.browser import component_page, have_chromium
from bench.timing import measure
from tensor_inspector.picture import picture
from tensor_inspector.testing import simulated_device

DRAW = """(drawn) => {
  const view = new window.PictureView({ request: async () => ({ ok: true, picture: drawn }) });
  document.body.replaceChildren(view.el);
  view.name = "w";
  view.picture = drawn;
  const start = performance.now();
  view.render();
  view.el.getBoundingClientRect();  // layout and style, as the browser paints it
  return performance.now() - start;
}"""


def run() -> list[str]:
    device = simulated_device.install()
    torch.manual_seed(0)
    host = torch.randn(4096, 4096)
    on_device = host.to(device)
    simulated_device.reset_transfers()
    picture(on_device, "w")
    copies = simulated_device.transfers()
    on_sim = measure(lambda: picture(on_device, "w"), 9)
    on_cpu = measure(lambda: picture(host, "w"), 9)
    window = [1000, 1064, 2000, 2064]
    simulated_device.reset_transfers()
    picture(on_device, "w", window=window)
    zoom_copies = simulated_device.transfers()
    zoomed = measure(lambda: picture(on_device, "w", window=window), 9)
    rows = [
        "| picture | time | transfers | bytes copied |",
        "|---|---:|---:|---:|",
        f"| 64×64 of a 4096×4096 float32 tensor on the simulated device (kernel) | "
        f"{on_sim.ms()} | {len(copies)} | {sum(copies):,} |",
        f"| the same, zoomed to a 64×64 window at full resolution (kernel) | {zoomed.ms()} | "
        f"{len(zoom_copies)} | {sum(zoom_copies):,} |",
        f"| 64×64 of the same tensor on the cpu (kernel) | {on_cpu.ms()} | 0 | 0 |",
    ]
    rows += _draw_rows()
    return [*rows, "", "Drawing is the panel's PictureView (viridis or diverging colours into one "
            "canvas, legend, controls) in Debian's Chromium, headless; the values are "
            "randn's, with a NaN and an Inf to mark."]  # fmt: skip


def _draw_rows() -> list[str]:
    if not have_chromium():
        return ["| draw in Chromium | not measured: no /usr/bin/chromium | | |"]
    rows = []
    with component_page("js/components/PictureView.js", "PictureView") as page:
        for side in (64, 256):
            values = torch.randn(side, side)
            values[1, 1], values[2, 2] = float("nan"), float("inf")
            drawn = json.loads(json.dumps(picture(values, "w", max_side=side)))
            for _ in range(3):  # the page's code is compiled on its first runs
                page.evaluate(DRAW, drawn)
            times = sorted(page.evaluate(DRAW, drawn) for _ in range(9))
            rows.append(
                f"| draw a {side}×{side} picture in Chromium | "
                f"{times[4]:.1f} ms ({times[0]:.1f}–{times[-1]:.1f}) | | |"
            )
    return rows


if __name__ == "__main__":
    print("\n".join(run()))
