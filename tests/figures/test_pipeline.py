"""The pipeline itself: staleness from content hashes, determinism, failures.

Most tests run on a throwaway copy of the package's machinery (util/, build/,
figures/figure.py and the training loop) with small synthetic figure modules of
a post "demo-post", so they can edit sources and break figures without
touching the repository.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from figures_src.build import pipeline
from figures_src.util import paths, seeding

REAL = pipeline.PACKAGE_DIR
# What the copy needs of the real package: everything but the nn, the experiments and the figures.
MACHINERY = ("__init__.py", "util", "build", "figures/__init__.py", "figures/figure.py",
             "experiments/__init__.py", "experiments/training.py", "experiments/seeds.py")
POST = "demo-post"  # the synthetic figures' post: figures/demo_post/, assets/img/posts/demo-post/
IMAGES = paths.image_dir(POST)

HELPER = '''
"""A shared helper, like figures_src.nn."""
SCALE = 2.0
'''
INNER = '''
"""Imports the helper relatively: the hash must follow it."""
from .helper import SCALE
def scale(xs):
    return [SCALE * x for x in xs]
'''
LINES = '''
"""A matplotlib figure that depends on figures_src.models.inner (and helper)."""
from figures_src.figures.figure import Figure
from figures_src.models import inner

FIGURE = Figure(name="lines", alt="Two lines.", caption="Slope {slope:.3g}, $$\\\\sqrt{{d_k}}$$.")

def compute():
    xs = list(range(10))
    return {"xs": xs, "ys": inner.scale(xs), "facts": {"slope": inner.scale([1.0])[0] / 3}}

def draw(data, theme):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(data["xs"], data["ys"], label="scaled")
    ax.set_xlabel("x")
    ax.legend()
    return fig
'''
BOXES = '''
"""A graphviz figure that imports nothing shared."""
from figures_src.figures.figure import Figure

FIGURE = Figure(name="boxes", alt="Two boxes.", caption="Boxes.")

def compute():
    return {"facts": {"n": 2}}

def draw(data, theme):
    g = theme.digraph(rankdir="BT")
    g.node("a", "Query", fillcolor=theme.fill("blue"))
    g.node("b", "Softmax")
    g.edge("a", "b")
    return g
'''
BROKEN_DARK = '''
"""Draws light, then fails on dark: nothing may be written."""
from figures_src.figures.figure import Figure

FIGURE = Figure(name="broken-dark", alt="x", caption="x")

def compute():
    return {"facts": {}}

def draw(data, theme):
    if theme.name == "dark":
        raise RuntimeError("dark variant exploded")
    g = theme.digraph()
    g.node("a")
    return g
'''
BROKEN_COMPUTE = '''
"""Fails while computing."""
from figures_src.figures.figure import Figure

FIGURE = Figure(name="broken-compute", alt="x", caption="x")

def compute():
    raise ValueError("training diverged")

def draw(data, theme):
    raise AssertionError("never reached")
'''


@pytest.fixture
def project(tmp_path):
    """A temporary project: a copy of the pipeline plus synthetic figures."""
    pkg = tmp_path / "src" / "figures_src"
    for rel in MACHINERY:
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        if (REAL / rel).is_dir():
            shutil.copytree(REAL / rel, pkg / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REAL / rel, pkg / rel)
    (pkg / "models").mkdir()
    (pkg / "models" / "__init__.py").write_text('"""models"""\n')
    (pkg / "models" / "helper.py").write_text(HELPER)
    (pkg / "models" / "inner.py").write_text(INNER)
    figures = pkg / "figures" / paths.figures_folder(POST)
    figures.mkdir()
    (figures / "__init__.py").write_text('"""The demo post\'s figures."""\n')
    (figures / "lines.py").write_text(LINES)
    (figures / "boxes.py").write_text(BOXES)
    return pkg


def figure_file(pkg: Path, module: str, post: str = POST) -> Path:
    return pkg / "figures" / paths.figures_folder(post) / f"{module}.py"


def cli(pkg: Path, *args, root: Path):
    """Run `python -m figures_src.build --root ROOT ARGS` in the temporary project
    (ROOT made first)."""
    root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, "-m", "figures_src.build", "--root", str(root), *args],
                          cwd=pkg.parent, capture_output=True, text=True, env=env, timeout=300)


def files_under(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def touch_source(path: Path) -> None:
    """An edit that changes what the code does (a new module-level name)."""
    path.write_text(path.read_text() + "\n_EDITED = True\n")


def reword(path: Path) -> None:
    """Edits that cannot change an output: a comment, a reworded docstring, blank lines."""
    text = path.read_text()
    start = text.index('"""') + 3
    path.write_text(text[:start] + "Reworded. " + text[start:] + "\n\n# a comment\n")


# -- the inputs hash ---------------------------------------------------------

def test_inputs_follow_imports_transitively(project):
    files = {p.relative_to(project.parent).as_posix()
             for p in pipeline.input_files(figure_file(project, "lines"), project)}
    assert {"figures_src/figures/demo_post/lines.py", "figures_src/models/inner.py",
            "figures_src/models/helper.py", "figures_src/figures/figure.py",
            "figures_src/build/pipeline.py", "figures_src/build/style.py",
            "figures_src/build/render.py", "figures_src/util/seeding.py"} <= files
    assert "figures_src/figures/demo_post/boxes.py" not in files
    assert "figures_src/build/__main__.py" not in files


@pytest.mark.parametrize("edited", ["models/helper.py", "models/inner.py",
                                    "figures/demo_post/lines.py", "build/style.py",
                                    "build/pipeline.py", "models/__init__.py"])
def test_comments_docstrings_and_blank_lines_never_change_the_hash(project, edited):
    lines = figure_file(project, "lines")
    before = pipeline.inputs_hash(lines, project)
    reword(project / edited)
    assert pipeline.inputs_hash(lines, project) == before


def test_package_init_counts_once_it_runs_code(project):
    lines = figure_file(project, "lines")
    init = project / "models" / "__init__.py"
    before = pipeline.inputs_hash(lines, project)
    init.write_text('"""models: a documentation edit"""\n')
    assert pipeline.inputs_hash(lines, project) == before
    init.write_text('"""models"""\nSCALE_OVERRIDE = 3\n')
    assert pipeline.inputs_hash(lines, project) != before


@pytest.mark.parametrize("edited, lines_changes, boxes_changes", [
    ("figures/demo_post/lines.py", True, False),  # one figure module: that figure only
    ("figures/demo_post/boxes.py", False, True),
    ("models/helper.py", True, False),  # shared code: what imports it, transitively
    ("build/style.py", True, True),  # the build: everything
    ("build/__main__.py", False, False),  # the CLI does not shape a figure
    ("util/atomic.py", False, False),  # plumbing: how bytes are written, not what they are
    ("util/paths.py", False, False),
    ("util/inputs.py", False, False),
    ("figures/__init__.py", True, True),  # a package __init__ that runs code: all its modules
    ("figures/demo_post/__init__.py", True, True),
])
def test_edit_changes_the_hash_of_dependents_only(project, edited, lines_changes, boxes_changes):
    def hashes():
        return {name: pipeline.inputs_hash(figure_file(project, name), project)
                for name in ("lines", "boxes")}

    before = hashes()
    assert hashes() == before  # unchanged sources: unchanged hash
    touch_source(project / edited)
    after = hashes()
    assert (after["lines"] != before["lines"]) == lines_changes
    assert (after["boxes"] != before["boxes"]) == boxes_changes


def test_stale_listing_imports_neither_torch_nor_matplotlib():
    code = ("import sys; from figures_src.build.__main__ import main; main(['stale']); "
            "heavy = [m for m in ('torch', 'matplotlib', 'graphviz') if m in sys.modules]; "
            "assert not heavy, heavy")
    result = subprocess.run([sys.executable, "-c", code], cwd=pipeline.REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# -- building and staleness, end to end --------------------------------------

def test_build_then_stale_detection(project, tmp_path):
    out = tmp_path / "out"
    assert cli(project, "stale", root=out).stdout.split() == ["boxes", "lines"]
    built = cli(project, "build", root=out)
    assert built.returncode == 0, built.stderr
    assert "lines: built in" in built.stdout and "boxes: built in" in built.stdout
    assert cli(project, "stale", root=out).stdout.split() == []

    manifest = yaml.safe_load((out / "_data/figures/lines.yml").read_text())
    assert manifest["caption"] == "Slope 0.667, $$\\sqrt{d_k}$$."
    assert manifest["facts"] == {"slope": 0.6667}

    image = out / IMAGES / "lines-dark.svg"
    image.write_bytes(image.read_bytes() + b" ")  # a hand edit of an output
    assert cli(project, "stale", root=out).stdout.split() == ["lines"]
    cli(project, "build", "--stale", root=out)
    assert cli(project, "stale", root=out).stdout.split() == []

    (out / IMAGES / "boxes-light.svg").unlink()  # a lost output
    assert cli(project, "stale", root=out).stdout.split() == ["boxes"]
    cli(project, "build", "boxes", root=out)

    touch_source(project / "models" / "helper.py")  # shared code changed
    assert cli(project, "stale", root=out).stdout.split() == ["lines"]


def test_two_builds_are_byte_identical(project, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        result = cli(project, "build", root=root)
        assert result.returncode == 0, result.stderr
    a, b = files_under(first), files_under(second)
    assert len(a) == 6  # 2 figures x (light, dark, manifest)
    assert a.keys() == b.keys()
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"not reproducible: {different}"


@pytest.mark.parametrize("module, source, message", [
    ("broken_dark", BROKEN_DARK, "dark variant exploded"),
    ("broken_compute", BROKEN_COMPUTE, "training diverged"),
])
def test_failing_figure_leaves_nothing_and_is_named(project, tmp_path, module, source, message):
    figure_file(project, module).write_text(source)
    out = tmp_path / "out"
    name = module.replace("_", "-")
    result = cli(project, "build", name, root=out)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: figure '{name}' failed") and message in last, result.stderr
    assert not out.exists() or files_under(out) == {}


def test_failure_keeps_figures_already_built(project, tmp_path):
    out = tmp_path / "out"
    assert cli(project, "build", "boxes", root=out).returncode == 0
    before = files_under(out)
    figure_file(project, "broken_dark").write_text(BROKEN_DARK)
    assert cli(project, "build", "broken-dark", root=out).returncode != 0
    assert files_under(out) == before


def test_unknown_figure_is_named(project, tmp_path):
    result = cli(project, "build", "no-such-figure", root=tmp_path / "out")
    assert result.returncode != 0
    assert "no-such-figure" in result.stderr and "boxes" in result.stderr


def test_module_name_must_match_declared_name(project, tmp_path):
    figure_file(project, "misnamed").write_text(BOXES)  # declares "boxes"
    result = cli(project, "build", "misnamed", root=tmp_path / "out")
    assert result.returncode != 0 and "misnamed" in result.stderr


# -- facts ---------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (1 / 3, 0.3333), (12345.678, 12350.0), (2.5e-5 * 1.000001, 2.5e-5), (7, 7), ("tanh", "tanh"),
])
def test_facts_are_rounded_to_four_significant_digits(value, expected):
    assert pipeline.round_fact(value) == expected


def test_non_finite_fact_is_refused():
    with pytest.raises(pipeline.FigureError, match="'nan-figure'.*'loss'"):
        pipeline.clean_facts({"loss": float("nan")}, "nan-figure")


def test_caption_missing_fact_is_named():
    with pytest.raises(pipeline.FigureError, match="'cap'.*caption.*'speed'"):
        pipeline._format("{speed:.2g}x faster", {}, "cap", "caption")


def test_seed_depends_on_the_name_only():
    assert seeding.seed_for("rnn-forgets") == seeding.seed_for("rnn-forgets")
    assert seeding.seed_for("rnn-forgets") != seeding.seed_for("rnn-unrolled")


# -- the real figures ----------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ["positional-encoding", "rnn-unrolled"])  # matplotlib, graphviz
def test_real_figure_builds_byte_identical_twice(tmp_path, name):
    """Two separate processes build the same bytes (seeds, hash salt, no dates)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    outputs = []
    for run in ("first", "second"):
        root = tmp_path / run
        root.mkdir()
        result = subprocess.run([sys.executable, "-m", "figures_src.build", "--root", str(root),
                                 "build", name],
                                cwd=pipeline.REPO_ROOT, capture_output=True, text=True, env=env,
                                timeout=600)
        assert result.returncode == 0, result.stderr
        outputs.append(files_under(root))
    assert len(outputs[0]) == 3 and outputs[0] == outputs[1]


# -- freshness ignores what cannot change an output --------------------------

def test_rewording_the_real_code_leaves_every_figure_up_to_date(tmp_path):
    """A comment and a reworded docstring in nn/positional.py, nn/attention.py and
    build/style.py (in a copy of the package) leave `list` reporting every figure ok."""
    copy = tmp_path / "figures_src"
    shutil.copytree(REAL, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for rel in ("nn/positional.py", "nn/attention.py", "build/style.py"):
        reword(copy / rel)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([sys.executable, "-m", "figures_src.build",
                             "--root", str(pipeline.REPO_ROOT), "list"],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(pipeline.discover()) > 10
    assert not [line for line in lines if not line.endswith(" ok")], result.stdout


# -- the manifest is part of freshness ----------------------------------------

POST_FILE = paths.POSTS_DIR / f"2024-01-01-{POST}.md"
POST_QUOTING = "{% fact lines slope digits=2 %} is the slope.\n"


def build_with_post(project, out, text=POST_QUOTING):
    (out / paths.POSTS_DIR).mkdir(parents=True)
    (out / POST_FILE).write_text(text)
    assert cli(project, "build", root=out).returncode == 0


def rows(listed) -> dict:
    return dict(line.split(None, 1) for line in listed.stdout.splitlines())


@pytest.mark.parametrize("damage, reason", [
    (lambda text: text + "\nfacts: [unclosed\n", "lines.yml is not valid YAML"),
    (lambda text: "a string\n", "lines.yml is not a mapping"),
    (lambda text: text.replace("alt: Two lines.", "alt: ''"), "manifest lacks alt"),
    (lambda text: text.replace("  dark:", "  darkish:"), "manifest lacks the dark output"),
    (lambda text: text.replace("  slope:", "  slope_old:"), "lines.yml was edited by hand"),
    (lambda text: text.replace("slope: 0.6667", "slope: 0.7"), "lines.yml was edited by hand"),
    (lambda text: text.replace("caption: Slope 0.667", "caption: Slope 0.7"), "was edited by hand"),
    (lambda text: text.replace("alt: Two lines.", "alt: Three lines."), "was edited by hand"),
    (lambda text: "".join(line for line in text.splitlines(True) if "manifest_sha256" not in line),
     "manifest lacks manifest_sha256"),
])
def test_broken_manifest_is_stale_named_and_repaired(project, tmp_path, damage, reason):
    out = tmp_path / "out"
    build_with_post(project, out)
    manifest = out / "_data/figures/lines.yml"
    damaged = damage(manifest.read_text())
    assert damaged != manifest.read_text(), "the damage must change the file"
    manifest.write_text(damaged)

    listed = cli(project, "list", root=out)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert rows(listed)["boxes"].endswith(" ok")  # the other figures still list
    row = rows(listed)["lines"]
    assert reason in row and "stale" in row, row
    if "YAML" in reason or "mapping" in reason:
        assert "make figure-lines" in rows(listed)["lines"]
    assert cli(project, "stale", root=out).stdout.split() == ["lines"]
    assert cli(project, "build", "--stale", root=out).returncode == 0  # `make figures` repairs it
    assert cli(project, "stale", root=out).stdout.split() == []
    assert "slope: 0.6667" in manifest.read_text()


def test_a_fact_no_figure_computes_is_the_posts_error_not_a_stale_figure(project, tmp_path):
    """A typo in a quoted key: rebuilding cannot fix it, so the figure is not
    stale (no endless `make figures`); `list` names the post, the key and the keys there are."""
    out = tmp_path / "out"
    build_with_post(project, out, POST_QUOTING + "{% fact lines slop %} and {% fact nowhere x %}\n")
    assert cli(project, "stale", root=out).stdout.split() == []
    listed = cli(project, "list", root=out)
    assert listed.returncode == 1
    assert rows(listed)["lines"].endswith(" ok")
    expected = f"{POST_FILE.as_posix()} quotes lines.slop; lines computes: slope"
    assert expected in listed.stderr, listed.stderr
    assert "quotes nowhere.x, but there is no figure 'nowhere'" in listed.stderr


def test_quoted_facts_are_read_from_every_post(project, tmp_path):
    out = tmp_path / "out"
    (out / paths.POSTS_DIR).mkdir(parents=True)
    (out / POST_FILE).write_text(POST_QUOTING)
    other = out / paths.POSTS_DIR / "2024-02-02-other.md"
    other.write_text("{%- fact lines slope as=percent %}\n{% fact boxes n %}\n")
    assert pipeline.quoted_facts(out) == {
        "lines": {"slope": [POST_FILE.as_posix(), "_posts/2024-02-02-other.md"]},
        "boxes": {"n": ["_posts/2024-02-02-other.md"]}}


# -- seeds: a checkpoint-cache hit and a miss build the same bytes -----------

TRAINED = '''
"""Trains through the checkpoint cache, then draws from torch's random state."""
import torch
from figures_src.experiments import training
from figures_src.figures.figure import Figure

FIGURE = Figure(name="trained", alt="x", caption="Weight {w:.6f}, noise {noise:.6f}.")

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(3, 3)

    def forward(self, tokens):
        return self.embed(tokens)

def batch(generator):
    tokens = torch.randint(0, 3, (8, 2), generator=generator)
    return tokens, tokens

def build_and_train(config):
    model = Tiny()
    log = training.train(model, batch, max_steps=5, lr=0.1)
    return model, {"loss": log["final_loss"]}

def compute():
    model, _ = training.cached("tiny", {"seed": 3}, build_and_train)
    return {"facts": {"w": model.embed.weight.sum().item(), "noise": torch.randn(1).item()}}

def draw(data, theme):
    g = theme.digraph()
    g.node("a", "noise %.6f" % data["facts"]["noise"])
    return g
'''


def test_cold_and_warm_checkpoint_cache_build_the_same_bytes(project, tmp_path):
    figure_file(project, "trained").write_text(TRAINED)
    checkpoints = project.parent / "build" / "checkpoints"
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    first = cli(project, "build", "trained", root=cold)
    assert first.returncode == 0 and "training tiny" in first.stdout, first.stderr
    assert len(list(checkpoints.glob("tiny-*.pt"))) == 1
    second = cli(project, "build", "trained", root=warm)
    assert second.returncode == 0 and "training tiny" not in second.stdout, second.stderr
    assert files_under(cold) == files_under(warm)


# -- recovery and clear messages ---------------------------------------------

def test_build_sweeps_its_own_leftover_temp_files_only(project, tmp_path):
    out = tmp_path / "out"
    images, data = out / IMAGES, out / pipeline.MANIFEST_DIR
    for folder in (images, data):
        folder.mkdir(parents=True)
    mine = [images / ".lines-light.svg.k1.tmp", images / ".lines-dark.png.k2.tmp",
            data / ".lines.yml.k3.tmp"]
    others = [images / ".boxes-light.svg.k4.tmp", images / ".lines-extra-light.svg.k5.tmp"]
    for path in mine + others:
        path.write_text("half a file")
    assert cli(project, "build", "lines", root=out).returncode == 0
    assert not [p for p in mine if p.exists()]
    assert all(p.exists() for p in others)


def test_missing_root_is_an_error(project, tmp_path):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run([sys.executable, "-m", "figures_src.build",
                             "--root", str(tmp_path / "nowhere"), "list"],
                            cwd=project.parent, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert f"--root {tmp_path / 'nowhere'}: no such folder" in result.stderr


def test_empty_figure_name_is_named_empty(project, tmp_path):
    result = cli(project, "build", "", root=tmp_path / "out")
    assert result.returncode != 0 and "empty figure name" in result.stderr, result.stderr


EXPORTING = BOXES.replace('name="boxes"', 'name="exporting"') + '''

def export(data):
    return {"tokens": ["a", "b"], "weights": [[1 / 3, 2 / 3], [1.0, 0.0]]}
'''


def test_exported_data_is_written_tracked_and_checked(project, tmp_path):
    figure_file(project, "exporting").write_text(EXPORTING)
    out = tmp_path / "out"
    assert cli(project, "build", "exporting", root=out).returncode == 0
    data = out / pipeline.data_path(POST, "exporting")
    assert data.read_text() == '{"tokens":["a","b"],"weights":[[0.3333,0.6667],[1.0,0.0]]}'
    manifest = yaml.safe_load((out / pipeline.manifest_path("exporting")).read_text())
    expected = "/" + pipeline.data_path(POST, "exporting").as_posix()
    assert manifest["outputs"]["data"]["path"] == expected
    assert cli(project, "stale", root=out).stdout.split() == ["boxes", "lines"]
    data.write_text(data.read_text() + " ")  # a hand edit
    assert "exporting" in cli(project, "stale", root=out).stdout.split()


SMALLER = LINES.replace('name="lines"', 'name="small"').replace(
    'caption="Slope {slope:.3g}, $$\\\\sqrt{{d_k}}$$.")',
    'caption="x", raster=True, smaller=(120, 200))')


def png_width(path: Path) -> int:
    from figures_src.build.render import png_size
    return png_size(path.read_bytes())[0]


def test_smaller_copies_of_a_raster_are_written_tracked_and_dropped(project, tmp_path):
    """Figure(smaller=...) writes <name>-<variant>-<width>w.png beside the
    full-size raster (the banner's srcset), lists them in the manifest, finds a
    lost one stale, and removes a copy whose width is no longer asked for."""
    figure_file(project, "small").write_text(SMALLER)
    out = tmp_path / "out"
    assert cli(project, "build", "small", root=out).returncode == 0
    manifest = yaml.safe_load((out / pipeline.manifest_path("small")).read_text())
    for variant in pipeline.VARIANTS:
        full = out / manifest["outputs"][variant]["path"].lstrip("/")
        copies = manifest["outputs"][variant]["smaller"]
        assert [c["width"] for c in copies] == [120, 200]
        for copy in copies:
            file = out / copy["path"].lstrip("/")
            assert file.name == f"small-{variant}-{copy['width']}w.png"
            assert png_width(file) == copy["width"] < png_width(full)
    lost = out / pipeline.smaller_path(POST, "small", "dark", 120)
    lost.unlink()
    assert "small" in cli(project, "stale", root=out).stdout.split()
    narrower = SMALLER.replace("smaller=(120, 200)", "smaller=(200,)")
    figure_file(project, "small").write_text(narrower)
    assert cli(project, "build", "small", root=out).returncode == 0
    left = sorted(p.name for p in (out / IMAGES).glob("small-*w.png"))
    assert left == ["small-dark-200w.png", "small-light-200w.png"]


def test_smaller_copies_are_for_rasters_only():
    from figures_src.figures.figure import Figure
    with pytest.raises(ValueError, match="rasters"):
        Figure(name="x", alt="x", caption="x", smaller=(100,))


def _embedded_pngs(svg: bytes) -> list[bytes]:
    import base64
    from figures_src.build import render
    return [base64.b64decode(b"".join(m.split())) for m in render._EMBEDDED_PNG.findall(svg)]


def _svg(fig) -> bytes:
    """matplotlib's own SVG, before the pipeline optimises it."""
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


def _pixels(png: bytes) -> list:
    import io
    from PIL import Image
    return list(Image.open(io.BytesIO(png)).convert("RGBA").getdata())


@pytest.mark.parametrize("interpolation", ["none", "nearest"])
def test_heat_maps_in_svgs_keep_every_pixel_in_fewer_bytes(interpolation):
    """A heat map matplotlib embeds (here a 40 x 30 map through a 256-colour
    map) comes out of optimise_svg as a palette PNG with the same pixels."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from figures_src.build import render

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.imshow(np.sin(np.arange(1200).reshape(30, 40) / 7.0), cmap="viridis",
              interpolation=interpolation)
    raw = _svg(fig)
    before, after = _embedded_pngs(raw), _embedded_pngs(render.render(fig).data)
    assert len(before) == len(after) == 1
    assert _pixels(after[0]) == _pixels(before[0])
    assert len(after[0]) < len(before[0])
    assert after[0][25] == 3  # PNG colour type 3: palette


def test_images_with_more_colours_than_a_palette_stay_exact():
    """More than 256 colours (a photo-like gradient): no palette, the same pixels."""
    import io
    import numpy as np
    from PIL import Image
    from figures_src.build import render

    grid = np.meshgrid(np.arange(64) * 4, np.arange(64) * 4) + [np.full((64, 64), 7)]
    rgb = np.stack(grid, -1).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    out = render.lossless_palette_png(buf.getvalue())
    assert _pixels(out) == _pixels(buf.getvalue())
    assert out[25] != 3


# -- clear messages for broken code and arguments ----------------------------

def test_a_syntax_error_in_a_figure_module_is_named_with_its_line(project, tmp_path):
    out = tmp_path / "out"
    broken = figure_file(project, "boxes")
    broken.write_text(BOXES.replace("def compute():", "def compute(:"))
    listed = cli(project, "list", root=out)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    line = BOXES.splitlines().index("def compute():") + 1
    assert f"figures_src/figures/demo_post/boxes.py:{line}:" in rows(listed)["boxes"], listed.stdout
    assert "stale" in rows(listed)["boxes"] and "stale" in rows(listed)["lines"]
    built = cli(project, "build", "boxes", root=out)
    assert built.returncode == 1 and "SyntaxError" in built.stderr.splitlines()[-1]


def test_root_may_follow_the_command(project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    for args in (["list", "--root", str(out)], ["build", "boxes", "--root", str(out)]):
        result = subprocess.run([sys.executable, "-m", "figures_src.build", *args],
                                cwd=project.parent, capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.returncode == 0, result.stderr
    assert (out / IMAGES / "boxes-light.svg").is_file()


# -- many posts ----------------------------------------------------------------

def test_a_figure_belongs_to_the_post_of_its_folder(project, tmp_path):
    """A second post's figure: its images go to that post's folder, its
    manifest (flat, by name) says which post it belongs to."""
    other = figure_file(project, "arrows", post="second-post")
    other.parent.mkdir()
    (other.parent / "__init__.py").write_text('"""The second post\'s figures."""\n')
    other.write_text(BOXES.replace('name="boxes"', 'name="arrows"'))
    out = tmp_path / "out"
    assert cli(project, "build", root=out).returncode == 0
    manifest = yaml.safe_load((out / pipeline.manifest_path("arrows")).read_text())
    assert manifest["post"] == "second-post"
    assert manifest["outputs"]["light"]["path"] == "/assets/img/posts/second-post/arrows-light.svg"
    assert (out / "assets/img/posts/second-post/arrows-dark.svg").is_file()
    assert yaml.safe_load((out / pipeline.manifest_path("boxes")).read_text())["post"] == POST
    other.rename(figure_file(project, "arrows"))  # moved to the other post: stale
    assert "moved to" in rows(cli(project, "list", root=out))["arrows"]


def test_figure_names_are_unique_across_posts(project, tmp_path):
    twin = figure_file(project, "boxes", post="second-post")
    twin.parent.mkdir()
    twin.write_text(BOXES)
    listed = cli(project, "list", root=tmp_path / "out")
    assert listed.returncode == 1
    assert ("figures_src/figures/demo_post/boxes.py and figures_src/figures/second_post/boxes.py"
            in listed.stderr), listed.stderr


def test_make_figure_without_a_name_says_so():
    result = subprocess.run(["make", "--no-print-directory", "figure-"], cwd=pipeline.REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "make figure-NAME needs a figure's name" in result.stderr, result.stderr
    assert "No rule" not in result.stderr
