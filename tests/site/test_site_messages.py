"""What a user sees when something goes wrong, run through `make build` (and
`make serve`) as a user runs it, in a copy of the project: the cause is the
first error line, naming the file (and for an embed, the post's line) and
what to do. Jekyll alone prints only "Please append --trace" for an error that
is not Liquid's (tools/jekyll-cause shows it); the figure tags raise their own
(_plugins/figure_tags.rb)."""
import os
import re
import socket
import subprocess

import pytest
import yaml

from sitecheck import ROOT, copy_project, make

ANSI = re.compile(r"\x1b\[[0-9;]*m")
POST = "_posts/2023-05-19-give-me-attention.md"


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path)


def first_error(output: str) -> str:
    """The first line that reports an error (Jekyll's "Error:" or "Liquid
    Exception:", a tool's "error:" or "<tool>: ...")."""
    for line in ANSI.sub("", output).splitlines():
        if re.search(r"\b(Error|Exception|error)\b:",
                     line) or re.match(r"[\w-]+: .*(not|cannot|failed)", line):
            return line.strip()
    raise AssertionError(f"no error line in:\n{output}")


def failed_build(project, **env) -> str:
    result = make(project, "build", env=env)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout and "\tfrom /" not in result.stdout, \
        f"a backtrace instead of a message:\n{result.stdout}"
    return result.stdout


def add_to_post(project, text: str) -> int:
    """Append `text` to the post; returns the line it is on."""
    post = project / POST
    source = post.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    post.write_text(source + text + "\n", encoding="utf-8")
    return source.count("\n") + 1


def test_bad_tex_names_the_page_and_the_formula(project):
    add_to_post(project, r"Broken: $$\frac{1}{$$")
    line = first_error(failed_build(project))
    assert POST in line and r"KaTeX cannot render the formula `\frac{1}{`" in line, line


def test_bad_config_yaml_names_the_file_and_the_place(project):
    config = project / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nbroken: [unclosed\n",
                      encoding="utf-8")
    line = first_error(failed_build(project))
    assert "_config.yml" in line and re.search(r"line \d+", line), line


def test_node_missing_from_path_is_named(project, tmp_path):
    """PATH with every program but node (a user who never installed it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            if name not in ("node", "nodejs") and not (bin_dir / name).exists():
                (bin_dir / name).symlink_to(os.path.join(directory, name))
    add_to_post(project, "Some math: $$x^2$$")  # a page with math to render
    line = first_error(failed_build(project, PATH=str(bin_dir)))
    assert "node not found" in line and "apt-get install nodejs" in line, line


def test_an_unknown_figure_names_the_post_line_and_the_known_figures(project):
    at = add_to_post(project, "{% figure no-such-figure %}")
    line = first_error(failed_build(project))
    known = sorted(p.stem for p in (ROOT / "_data" / "figures").glob("*.yml"))
    assert (f'{POST}:{at}: no figure "no-such-figure": known figures: {", ".join(known)}'
            in line), line
    assert "make figure-no-such-figure" in line, line


def test_an_unknown_fact_names_the_post_line_and_what_the_figure_computes(project):
    post = project / POST
    source = post.read_text(encoding="utf-8")
    assert "{% fact rope diagonal_spread" in source
    at = source[:source.index("{% fact rope diagonal_spread")].count("\n") + 1
    post.write_text(source.replace("{% fact rope diagonal_spread", "{% fact rope diagonal_sprd"),
                    encoding="utf-8")
    line = first_error(failed_build(project))
    facts = sorted(yaml.safe_load((ROOT / "_data" / "figures" / "rope.yml")
                                  .read_text(encoding="utf-8"))["facts"])
    assert (f"{POST}:{at}: the post quotes rope.diagonal_sprd; rope computes: {', '.join(facts)}"
            in line), line


def test_a_damaged_manifest_names_its_file(project):
    manifest = project / "_data" / "figures" / "rope.yml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text[: text.index("caption: '") + 20],
                        encoding="utf-8")  # cut in a quoted string
    line = first_error(failed_build(project))
    assert "_data/figures/rope.yml" in line and "make figure-rope" in line, line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_shows_the_cause_too(project):
    add_to_post(project, "{% fact rope no_such_key %}")
    result = make(project, "serve", f"SERVE_PORT={free_port()}", f"LIVERELOAD_PORT={free_port()}",
                  timeout=300)
    assert result.returncode != 0
    assert "the post quotes rope.no_such_key; rope computes: " in first_error(result.stdout), \
        result.stdout


def test_serve_on_a_taken_port_names_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(["make", "--no-print-directory", "serve", f"SERVE_PORT={port}"],
                                cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is taken" in result.stdout and "SERVE_PORT=" in result.stdout


def test_the_error_line_finder_finds_only_errors():
    assert (first_error("Generating...\n\x1b[31m  Error: the cause\x1b[0m\nmore")
            == "Error: the cause")
    with pytest.raises(AssertionError):
        first_error("Generating...\n done in 2 seconds.")
