"""What a user sees when something goes wrong: `make serve` on a taken port
names it and the variable that picks another, and the project's own Liquid
errors (a missing figure or fact) lead Jekyll's failure report."""
import socket
import subprocess

from sitecheck import ROOT, jekyll_build, make_site

FILTER = ROOT / "tools" / "jekyll-errors"


def test_serve_on_a_taken_port_names_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(["make", "--no-print-directory", "serve", f"SERVE_PORT={port}"], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is taken" in result.stdout and "SERVE_PORT=" in result.stdout


def test_a_missing_figure_is_the_first_line_of_the_failure(tmp_path):
    site = make_site(tmp_path, '{% include figure.md name="no-such-figure" %}', {})
    build = jekyll_build(site, tmp_path / "out")
    assert build.returncode != 0
    shown = subprocess.run([str(FILTER)], input=build.stdout + build.stderr, capture_output=True, text=True,
                           timeout=60).stdout.splitlines()
    generating = next(i for i, line in enumerate(shown) if "Generating" in line)
    assert shown[generating + 1].startswith('error: figure.md: no complete manifest for the figure "no-such-figure"')
    assert not any(line.lstrip().startswith("from /") for line in shown), "the Ruby backtrace is still shown"
