"""python -m tensor_inspector enable [--side | --inline] | disable: load the panel in every
kernel of your profile, and say where it shows."""

from __future__ import annotations

import argparse
import sys

from tensor_inspector import profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tensor_inspector",
        description="Load tensor-inspector in every IPython kernel of your profile, or stop.",
    )
    parser.add_argument("command", choices=["enable", "disable"])
    place = parser.add_mutually_exclusive_group()
    place.add_argument(
        "--side",
        dest="where",
        action="store_const",
        const="side",
        help="with enable: the panel shows in JupyterLab's right sidebar",
    )
    place.add_argument(
        "--inline",
        dest="where",
        action="store_const",
        const="inline",
        help="with enable: the panel shows in the output of the cell that loads it",
    )
    args = parser.parse_args(argv)
    if args.command == "enable":
        path = profile.enable(where=args.where)
        placed = {"side": ", its panel in the right sidebar", "inline": ", its panel inline"}
        print(f"tensor-inspector loads in every new kernel{placed.get(args.where, '')} ({path}).")
    else:
        if args.where is not None:
            parser.error("--side and --inline go with enable")
        path = profile.disable()
        print(f"tensor-inspector no longer loads by itself ({path}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
