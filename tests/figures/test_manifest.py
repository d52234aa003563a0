"""Every figure module has its light and dark files on disk, valid, matching
its manifest, described (alt, caption) and built from the current sources."""
import hashlib
import xml.etree.ElementTree as ET

import pytest
import yaml

from figures_src.build import pipeline
from figures_src.build.render import RASTER_SCALE, png_size, svg_size
from figures_src.util import paths

SOURCES = pipeline.discover()
SVG_NS = "{http://www.w3.org/2000/svg}"


def _manifest(name):
    manifest = pipeline.read_manifest(name)
    assert manifest, f"{name}: no {pipeline.manifest_path(name)}: run `make figure-{name}`"
    return manifest


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_manifest_is_current(source):
    manifest = _manifest(source.name)
    assert manifest["name"] == source.name
    assert manifest["post"] == source.post
    assert manifest["module"] == source.relpath
    assert manifest["manifest_sha256"] == pipeline.manifest_digest(manifest), (
        f"{source.name}: {pipeline.manifest_path(source.name)} was edited by hand: "
        f"run `make figure-{source.name}`")
    assert manifest["inputs_sha256"] == pipeline.inputs_hash(source.path), (
        f"{source.name}: {source.relpath} or a module it imports changed since the figure "
        f"was built: run `make figure-{source.name}` and commit the outputs")


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_alt_and_caption(source):
    manifest = _manifest(source.name)
    for field in ("alt", "caption"):
        text = manifest.get(field)
        assert isinstance(text, str) and text.strip(), f"{source.name}: empty {field}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_manifest_facts_and_text_are_what_compute_gives(source, figure_data, figure_module):
    """The numbers the post quotes are computed, not typed: facts, caption and alt in
    the manifest equal those of a fresh compute() (the session-cached one the figure's
    own tests check), so a hand-edited number in _data/figures/*.yml fails here."""
    manifest = _manifest(source.name)
    facts = pipeline.clean_facts(figure_data(source.name).get("facts", {}), source.name)
    figure = figure_module(source.name).FIGURE
    assert manifest["facts"] == facts, f"{source.name}: rebuild with `make figure-{source.name}`"
    assert manifest["caption"] == figure.caption.format(**facts)
    assert manifest["alt"] == figure.alt.format(**facts)


@pytest.mark.parametrize("variant", pipeline.VARIANTS)
@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_output_file(source, variant):
    manifest = _manifest(source.name)
    entry = manifest["outputs"][variant]
    prefix = "/" + paths.image_dir(source.post).as_posix() + "/"
    assert entry["path"].startswith(prefix + f"{source.name}-{variant}."), entry["path"]
    path = pipeline.REPO_ROOT / entry["path"].lstrip("/")
    assert path.is_file(), f"{source.name}: {path} is missing: run `make figure-{source.name}`"
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], (
        f"{source.name}: {path.name} differs from its manifest: rebuild, do not edit by hand")
    if path.suffix == ".svg":
        root = ET.fromstring(data)  # raises if it is not XML
        assert root.tag == SVG_NS + "svg"
        for attr in ("width", "height", "viewBox"):
            assert root.get(attr), f"{path.name}: no {attr}"
        texts = [el for el in root.iter() if el.tag in (SVG_NS + "text", SVG_NS + "tspan")]
        assert not texts, f"{path.name}: {len(texts)} <text> elements; text must be paths"
        assert (entry["width"], entry["height"]) == svg_size(data)
    elif path.suffix == ".png":
        width, height = png_size(data)
        css = (round(width / RASTER_SCALE), round(height / RASTER_SCALE))
        assert (entry["width"], entry["height"]) == css
    else:
        pytest.fail(f"{path.name}: neither SVG nor PNG")
    assert entry["width"] > 0 and entry["height"] > 0


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_manifest_yaml_is_stable(source):
    """The file on disk is exactly what the pipeline would write for its content."""
    _manifest(source.name)  # present, or a clear message
    path = pipeline.REPO_ROOT / pipeline.manifest_path(source.name)
    text = path.read_text(encoding="utf-8")
    assert pipeline.dump_manifest(yaml.safe_load(text)) == text
    keys = list(pipeline.MANIFEST_KEYS)
    if "per_seed" not in yaml.safe_load(text):  # a trained toy's values per seed, when it has them
        keys.remove("per_seed")
    assert list(yaml.safe_load(text)) == keys


def test_no_orphan_manifests():
    names = {s.name for s in SOURCES}
    manifests = {p.stem for p in (pipeline.REPO_ROOT / pipeline.MANIFEST_DIR).glob("*.yml")}
    assert manifests <= names, f"manifests without a figure module: {sorted(manifests - names)}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_manifest_carries_only_quoted_facts(source, figure_module):
    """A fact is in the manifest because the caption, the alt or the post quotes it;
    what only the tests need stays in compute()'s data."""
    import string

    figure = figure_module(source.name).FIGURE
    fields = {name.split(".")[0].split("[")[0]
              for text in (figure.caption, figure.alt)
              for _, name, _, _ in string.Formatter().parse(text) if name}
    quoted = fields | set(pipeline.quoted_facts().get(source.name, {}))
    unused = sorted(set(_manifest(source.name).get("facts", {})) - quoted)
    assert not unused, (f"{source.name}: facts nobody quotes: {unused} "
                        f"(keep them in compute()'s data)")
