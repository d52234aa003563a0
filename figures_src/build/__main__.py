"""Command line: list, check and build the figures.

    python -m figures_src list              every figure and whether it is stale
    python -m figures_src stale             names of the stale figures, one a line
    python -m figures_src build [NAME...]   build the named figures (all if none)
    python -m figures_src build --stale     build only the stale ones

`--root DIR` writes (and checks) outputs under DIR instead of the repository;
DIR must exist.
"""
from __future__ import annotations

import argparse
import signal
import sys
import traceback
from pathlib import Path

from figures_src.build import pipeline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m figures_src", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=pipeline.REPO_ROOT,
                        help="output root holding assets/ and _data/ (default: the repository)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every figure, its module and whether it is stale")
    commands.add_parser("stale", help="print the names of the stale figures")
    build = commands.add_parser("build", help="build the named figures, or all")
    build.add_argument("names", nargs="*", metavar="NAME", help="figure names (default: all)")
    build.add_argument("--stale", action="store_true", help="only the stale ones")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.root.is_dir():
        print(f"error: --root {args.root}: no such folder", file=sys.stderr)
        return 2
    if hasattr(signal, "SIGPIPE"):  # `... list | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        if args.command == "stale":
            for source, _reason in pipeline.stale(args.root):
                print(source.name)
            return 0
        if args.command == "list":
            quoted = pipeline.quoted_facts(args.root)
            for source in pipeline.discover():
                reason = pipeline.stale_reason(source, args.root, quoted.get(source.name, set()))
                print(f"{source.name:22} {source.relpath:44} {'stale: ' + reason if reason else 'ok'}")
            return 0
        sources = pipeline.find(args.names)
        if args.stale:
            sources = [s for s in sources if pipeline.stale_reason(s, args.root)]
        for index, source in enumerate(sources, 1):
            result = pipeline.build(source, args.root)
            sizes = ", ".join(f"{v} {o['width']}x{o['height']}" if "width" in o else f"{v} {o['bytes']} B"
                              for v, o in result.outputs.items())
            counter = f"[{index}/{len(sources)}] " if len(sources) > 1 else ""
            print(f"{counter}{source.name}: built in {result.seconds:.1f} s ({sizes})",
                  flush=True)
        if not sources:
            print("figures: nothing to build")
        return 0
    except pipeline.FigureError as exc:
        if exc.__cause__ is not None:
            traceback.print_exception(type(exc.__cause__), exc.__cause__, exc.__cause__.__traceback__)
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
