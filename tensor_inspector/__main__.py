"""python -m tensor_inspector enable|disable: load the panel in every kernel of your profile."""

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
    args = parser.parse_args(argv)
    if args.command == "enable":
        path = profile.enable()
        print(f"tensor-inspector loads in every new kernel ({path}).")
    else:
        path = profile.disable()
        print(f"tensor-inspector no longer loads by itself ({path}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
