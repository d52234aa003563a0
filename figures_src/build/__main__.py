"""Command line: list, check and build the figures.

    python -m figures_src.build list              every figure, its post and whether it is stale
    python -m figures_src.build stale             names of the stale figures, one a line
    python -m figures_src.build build [NAME...]   build the named figures (all if none)
    python -m figures_src.build build --stale     build only the stale ones

`--root DIR` (before or after the command) writes and checks outputs under DIR
instead of the repository, and reads the posts there; DIR must exist.
`list` exits with 1 when a post quotes a fact no figure computes (no rebuild
fixes that: the post must change).
"""
from __future__ import annotations

import argparse
import signal
import sys
import traceback
from pathlib import Path

from figures_src.build import pipeline


def _parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(add_help=False)
    root.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                      help="output root holding assets/, _data/ and _posts/ (default: the repository)")
    parser = argparse.ArgumentParser(prog="python -m figures_src.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     parents=[root])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", parents=[root],
                        help="every figure, its module and whether it is stale")
    commands.add_parser("stale", parents=[root], help="print the names of the stale figures")
    build = commands.add_parser("build", parents=[root], help="build the named figures, or all")
    build.add_argument("names", nargs="*", metavar="NAME", help="figure names (default: all)")
    build.add_argument("--stale", action="store_true", help="only the stale ones")
    return parser


def _list(root: Path) -> int:
    sources = pipeline.discover()
    errors = pipeline.quote_errors(sources, root)
    for source in sources:
        reason = pipeline.stale_reason(source, root)
        print(f"{source.name:22} {source.relpath:60} {'stale: ' + reason if reason else 'ok'}")
    for problems in errors.values():
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = getattr(args, "root", pipeline.REPO_ROOT)
    if not root.is_dir():
        print(f"error: --root {root}: no such folder", file=sys.stderr)
        return 2
    if hasattr(signal, "SIGPIPE"):  # `... list | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        if args.command == "stale":
            for source, _reason in pipeline.stale(root):
                print(source.name)
            return 0
        if args.command == "list":
            return _list(root)
        sources = pipeline.find(args.names)
        if args.stale:
            sources = [s for s in sources if pipeline.stale_reason(s, root)]
        for index, source in enumerate(sources, 1):
            result = pipeline.build(source, root)
            sizes = ", ".join(f"{v} {o['width']}x{o['height']}" if "width" in o
                              else f"{v} {o['bytes']} B"
                              for v, o in result.outputs.items())
            counter = f"[{index}/{len(sources)}] " if len(sources) > 1 else ""
            print(f"{counter}{source.name}: built in {result.seconds:.1f} s ({sizes})", flush=True)
        if not sources:
            print("figures: nothing to build")
        return 0
    except pipeline.FigureError as exc:
        if exc.__cause__ is not None:
            traceback.print_exception(type(exc.__cause__), exc.__cause__,
                                      exc.__cause__.__traceback__)
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
