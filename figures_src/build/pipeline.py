"""Find the figure modules, decide which are stale, and build them.

A figure belongs to a post: the module figures_src/figures/<post>/<stem>.py
(post folder: the slug with '_' for '-') is the figure <stem with '-' for '_'>,
its images go to assets/img/posts/<slug>/ and its manifest to the flat
_data/figures/<name>.yml (so names are unique across the blog).

A build runs one way: seed, compute() once, draw() per theme, render each
drawing to bytes (figures_src.build.render), write the files atomically, write the
manifest last. A figure is stale when its manifest is missing, unreadable,
edited by hand (it carries the sha256 of its own content) or lacks what the
site uses (alt, caption, outputs), when the code hash of its inputs changed
(figures_src.util.inputs says which files count), or when an output file is
missing or differs from the sha256 the manifest recorded. File times are never
used (git sets them at checkout), so a fresh clone is up to date.

A fact a post quotes (`{% fact FIGURE KEY %}`) that the figure does not compute
is the post's error, not the figure's: rebuilding cannot fix it, so it never
makes the figure stale; `list` names the post, the key and the keys there are.

Importing this module imports neither torch nor matplotlib, so listing stale
figures stays fast.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from figures_src.util import inputs, seeding, sourcehash
from figures_src.util.atomic import remove_temps, write_atomic
from figures_src.util.paths import (MANIFEST_DIR, PACKAGE_DIR, REPO_ROOT, folder_slug, image_dir,
                                    posts)

VARIANTS = ("light", "dark")
FACT_DIGITS = 4  # significant digits kept for float facts
MANIFEST_KEYS = ("name", "post", "module", "inputs_sha256", "alt", "caption", "outputs", "facts",
                 "per_seed", "manifest_sha256")
# {% fact rnn-forgets decay_per_step digits=2 %} in a post (_plugins' fact tag)
FACT_TAG = re.compile(r"\{%-?\s*fact\s+([a-z0-9-]+)\s+([A-Za-z_][A-Za-z0-9_]*)")


class FigureError(RuntimeError):
    """A figure failed to build; the message names it."""


@dataclass(frozen=True)
class FigureSource:
    """A figure module on disk, known without importing it."""

    name: str  # "rnn-unrolled"
    module: str  # "figures_src.figures.give_me_attention.rnn_unrolled"
    path: Path  # .../figures_src/figures/give_me_attention/rnn_unrolled.py
    package_dir: Path = PACKAGE_DIR
    post: str = ""  # the slug of the post it belongs to: "give-me-attention"

    @property
    def relpath(self) -> str:
        return self.path.relative_to(self.package_dir.parent).as_posix()


def discover(package_dir: Path = PACKAGE_DIR) -> list[FigureSource]:
    """Every figures/<post>/<stem>.py (not starting with "_"), sorted by name;
    FigureError if two posts have a figure of the same name."""
    package_dir = Path(package_dir).resolve()
    sources = [
        FigureSource(name=path.stem.replace("_", "-"),
                     module=f"{package_dir.name}.figures.{path.parent.name}.{path.stem}",
                     path=path.resolve(), package_dir=package_dir,
                     post=folder_slug(path.parent.name))
        for path in (package_dir / "figures").glob("*/*.py")
        if not path.name.startswith("_") and not path.parent.name.startswith("_")
    ]
    sources.sort(key=lambda s: (s.name, s.relpath))
    for first, second in zip(sources, sources[1:]):
        if first.name == second.name:
            raise FigureError(f"two figures are named {first.name!r}: {first.relpath} and "
                              f"{second.relpath}; figure names are unique across posts: rename one")
    return sources


def find(names: list[str] | None = None, package_dir: Path = PACKAGE_DIR) -> list[FigureSource]:
    """The named figures (all when `names` is empty); unknown or empty names are an error."""
    sources = discover(package_dir)
    if not names:
        return sources
    if any(not name.strip() for name in names):
        raise FigureError("empty figure name; known: " + ", ".join(s.name for s in sources))
    by_name = {s.name: s for s in sources}
    by_name.update({s.path.stem: s for s in sources})  # accept module stems too
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise FigureError(f"unknown figure(s) {', '.join(unknown)}; known: "
                          f"{', '.join(s.name for s in sources)}")
    return [by_name[n] for n in dict.fromkeys(names)]


# -- the inputs hash -------------------------------------------------------

def input_files(path: Path, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """A figure module's inputs: see figures_src.util.inputs."""
    return inputs.figure_inputs(path, package_dir)


def inputs_hash(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    return sourcehash.code_hash(input_files(path, package_dir), package_dir)


# -- manifests and staleness -------------------------------------------------

def output_path(post: str, name: str, variant: str, suffix: str) -> Path:
    """Root-relative path of one image file."""
    return image_dir(post) / f"{name}-{variant}{suffix}"


def smaller_path(post: str, name: str, variant: str, width: int) -> Path:
    """Root-relative path of a raster's smaller copy (Figure.smaller)."""
    return image_dir(post) / f"{name}-{variant}-{width}w.png"


def data_path(post: str, name: str) -> Path:
    """Root-relative path of a figure's exported data (see export() in the contract)."""
    return image_dir(post) / f"{name}.json"


def manifest_path(name: str) -> Path:
    return MANIFEST_DIR / f"{name}.yml"


class ManifestError(ValueError):
    """A manifest that cannot be used; the message says which file and how to fix it."""


def read_manifest(name: str, root: Path = REPO_ROOT) -> dict | None:
    """The manifest as a dict, None if there is none; ManifestError if it is unreadable."""
    import yaml

    path = Path(root) / manifest_path(name)
    if not path.is_file():
        return None
    try:  # libyaml's parser when there is one: `make figures` reads every manifest
        manifest = yaml.load(path.read_text(encoding="utf-8"),
                             getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ManifestError(f"{manifest_path(name)} is not valid YAML ({problem}); "
                            f"run `make figure-{name}`") from None
    if not isinstance(manifest, dict):
        raise ManifestError(f"{manifest_path(name)} is not a mapping; run `make figure-{name}`")
    return manifest


def quoted_facts(root: Path = REPO_ROOT) -> dict[str, dict[str, list[str]]]:
    """figure name -> fact key -> the posts (root-relative) that quote it with
    `{% fact FIGURE KEY ... %}`, over every post under `root`."""
    quoted: dict[str, dict[str, list[str]]] = {}
    for post in posts(root):
        rel = post.relative_to(root).as_posix()
        for figure, key in FACT_TAG.findall(post.read_text(encoding="utf-8")):
            where = quoted.setdefault(figure, {}).setdefault(key, [])
            if rel not in where:
                where.append(rel)
    return quoted


def manifest_digest(manifest: dict) -> str:
    """sha256 of a manifest's content (every key but manifest_sha256), as canonical JSON:
    recorded in the manifest, so a hand edit of a fact, the alt or the caption shows."""
    content = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _manifest_gaps(manifest: dict) -> str | None:
    """What the site needs that the manifest lacks, or None."""
    for key in ("alt", "caption"):
        if not isinstance(manifest.get(key), str) or not manifest[key].strip():
            return f"manifest lacks {key}"
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict):
        return "manifest lacks outputs"
    for variant in VARIANTS:
        entry = outputs.get(variant)
        if not isinstance(entry, dict) or not all(entry.get(k)
                                                  for k in ("path", "sha256", "width", "height")):
            return f"manifest lacks the {variant} output"
    if not isinstance(manifest.get("facts"), dict):
        return "manifest lacks facts"
    if not manifest.get("manifest_sha256"):
        return "manifest lacks manifest_sha256 (an older pipeline wrote it)"
    return None


def stale_reason(source: FigureSource, root: Path = REPO_ROOT) -> str | None:
    """Why the figure must be rebuilt, or None when it is up to date. Never raises
    for a broken manifest or unreadable code: that is a reason to rebuild, named
    with its file (and line)."""
    root = Path(root)
    try:
        current = inputs_hash(source.path, source.package_dir)
    except sourcehash.SourceError as exc:
        return f"cannot read the code: {exc}"
    try:
        manifest = read_manifest(source.name, root)
    except ManifestError as exc:
        return str(exc)
    if manifest is None:
        return "no manifest"
    gap = _manifest_gaps(manifest)
    if gap:
        return gap
    if manifest.get("manifest_sha256") != manifest_digest(manifest):
        return (f"{manifest_path(source.name)} was edited by hand (its content does not match "
                f"its manifest_sha256)")
    if manifest.get("post") != source.post or manifest.get("module") != source.relpath:
        return f"moved to {source.relpath}"
    if manifest.get("inputs_sha256") != current:
        return "inputs changed"
    entries = [e for entry in manifest["outputs"].values()
               for e in (entry, *entry.get("smaller", ()))]
    for entry in entries:
        actual = _sha256_file(root / str(entry["path"]).lstrip("/"))
        if actual is None:
            return f"{entry['path']} is missing"
        if actual != entry.get("sha256"):
            return f"{entry['path']} differs from the manifest"
    return None


def stale(root: Path = REPO_ROOT,
          package_dir: Path = PACKAGE_DIR) -> list[tuple[FigureSource, str]]:
    return [(s, r) for s in discover(package_dir) if (r := stale_reason(s, root))]


def quote_errors(sources: list[FigureSource], root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """figure name -> what the posts quote of it that its manifest does not have
    (a post's error, which no rebuild fixes), for the figures that are up to date;
    under "" the quotes of figures that do not exist."""
    quoted = quoted_facts(root)
    known = {s.name for s in sources}
    errors: dict[str, list[str]] = {}
    for figure in sorted(set(quoted) - known):
        for key, where in sorted(quoted[figure].items()):
            errors.setdefault("", []).append(
                f"{', '.join(where)} quotes {figure}.{key}, but there is no figure {figure!r}")
    for source in sources:
        if source.name not in quoted or stale_reason(source, root):
            continue
        facts = read_manifest(source.name, root).get("facts") or {}
        for key, where in sorted(quoted[source.name].items()):
            if key not in facts:
                errors.setdefault(source.name, []).append(
                    f"{', '.join(where)} quotes {source.name}.{key}; {source.name} computes: "
                    f"{', '.join(sorted(facts)) or 'no facts'}")
    return errors


# -- facts -------------------------------------------------------------------

def round_fact(value, digits: int = FACT_DIGITS):
    """A manifest-ready fact: floats to `digits` significant digits, tensors to numbers."""
    if hasattr(value, "item") and callable(value.item):  # torch/numpy scalars
        value = value.item()
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"fact is {value}")
        return float(f"{value:.{digits}g}")
    raise TypeError(f"a fact must be a number or a string, not {type(value).__name__}")


def clean_facts(facts: dict, name: str) -> dict:
    if not isinstance(facts, dict):
        raise FigureError(f"figure {name!r}: compute()['facts'] must be a dict")
    out = {}
    for key in sorted(facts):
        try:
            out[str(key)] = round_fact(facts[key])
        except (TypeError, ValueError) as exc:
            raise FigureError(f"figure {name!r}: fact {key!r}: {exc}") from None
    return out


def _format(text: str, facts: dict, name: str, what: str) -> str:
    try:
        return text.format(**facts)
    except (KeyError, IndexError, ValueError) as exc:
        raise FigureError(f"figure {name!r}: {what} needs {exc} which compute()['facts'] lacks "
                          f"(or has a bad format; double literal braces)") from None


# -- building ----------------------------------------------------------------

def load(source: FigureSource):
    """Import a figure module and check its contract."""
    from figures_src.figures.figure import Figure

    if str(source.package_dir.parent) not in sys.path:
        sys.path.insert(0, str(source.package_dir.parent))
    module = importlib.import_module(source.module)
    figure = getattr(module, "FIGURE", None)
    if not isinstance(figure, Figure):
        raise FigureError(f"figure {source.name!r}: {source.relpath} must define FIGURE = Figure(...)")
    if figure.name != source.name:
        raise FigureError(f"figure {source.name!r}: FIGURE.name is {figure.name!r} but the module "
                          f"{source.relpath} makes it {source.name!r}")
    for fn in ("compute", "draw"):
        if not callable(getattr(module, fn, None)):
            raise FigureError(f"figure {source.name!r}: {source.relpath} must define {fn}()")
    return module


def compute(source: FigureSource, module=None) -> dict:
    """Seed from the figure's name, then run its compute() once: the data both variants draw."""
    module = module or load(source)
    seeding.seed_all(seeding.seed_for(source.name))
    data = module.compute()
    if not isinstance(data, dict):
        raise FigureError(f"figure {source.name!r}: compute() must return a dict, not {type(data).__name__}")
    return data


def dump_data(value) -> bytes:
    """Deterministic compact JSON for exported data (floats to 4 significant digits)."""
    def plain(x):
        if hasattr(x, "tolist"):
            x = x.tolist()
        if isinstance(x, dict):
            return {str(k): plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        return round_fact(x)
    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


@dataclass(frozen=True)
class BuildResult:
    name: str
    seconds: float
    outputs: dict  # variant (or "data") -> manifest entry


def _targets(post: str, name: str) -> list[Path]:
    """Every file a build of `name` may write: for sweeping its leftover temp files."""
    images = [output_path(post, name, v, s) for v in VARIANTS for s in (".svg", ".png")]
    smaller = [image_dir(post) / f"{name}-{v}-"
               for v in VARIANTS]  # prefixes of <name>-<variant>-<width>w.png
    return images + smaller + [data_path(post, name), manifest_path(name)]


def _smaller_files(post: str, name: str, root: Path = REPO_ROOT) -> list[Path]:
    """The smaller raster copies of `name` now on disk (root-relative)."""
    return sorted(p.relative_to(root) for v in VARIANTS
                  for p in (root / image_dir(post)).glob(f"{name}-{v}-*w.png")
                  if re.fullmatch(rf"{re.escape(name)}-{v}-\d+w\.png", p.name))


def build(source: FigureSource, root: Path = REPO_ROOT) -> BuildResult:
    """Compute once, draw light and dark, render, write the files, then the manifest.

    Everything is rendered to memory before anything is written, and every
    write is atomic, so a failure leaves no partial file and the manifest
    (written last) never names a file that is not there.
    """
    from figures_src.build import render, style

    root = Path(root)
    post, name = source.post, source.name
    start = time.perf_counter()
    for target in _targets(post, name):  # left by a build that was killed mid-write
        remove_temps((root / target).parent,
                     target.name + ("" if target.name.endswith("-") else "."))
    try:
        module = load(source)
        figure = module.FIGURE
        data = compute(source, module)
        facts = clean_facts(data.get("facts", {}), source.name)
        rendered, smaller = {}, {}
        for theme in style.THEMES:
            with theme.rc():
                rendered[theme.name] = render.render(module.draw(data, theme), raster=figure.raster)
            smaller[theme.name] = {width: render.downscaled(rendered[theme.name].data, width)
                                   for width in figure.smaller}
        exported = dump_data(module.export(data)) if callable(getattr(module, "export",
                                                                      None)) else None
        manifest = {
            "name": name,
            "post": post,
            "module": source.relpath,
            "inputs_sha256": inputs_hash(source.path, source.package_dir),
            "alt": _format(figure.alt, facts, source.name, "alt"),
            "caption": _format(figure.caption, facts, source.name, "caption"),
            "outputs": {},
            "facts": facts,
        }
        if "per_seed" in data:  # a trained toy's measures, one value per training seed (experiments.seeds)
            manifest["per_seed"] = json.loads(dump_data(data["per_seed"]))
        for variant, out in rendered.items():
            rel = output_path(post, name, variant, out.suffix)
            write_atomic(root / rel, out.data)
            manifest["outputs"][variant] = {"path": "/" + rel.as_posix(), "width": out.width,
                                            "height": out.height, "sha256": out.sha256}
            other = rel.with_suffix(".png" if out.suffix == ".svg" else ".svg")
            (root / other).unlink(missing_ok=True)  # raster switched: drop the old format
            if smaller[variant]:
                manifest["outputs"][variant]["smaller"] = []
            for width, png in smaller[variant].items():
                small = smaller_path(post, name, variant, width)
                write_atomic(root / small, png)
                manifest["outputs"][variant]["smaller"].append(
                    {"path": "/" + small.as_posix(), "width": width,
                     "sha256": hashlib.sha256(png).hexdigest()})
        wanted = {smaller_path(post, name, v, w) for v in VARIANTS for w in figure.smaller}
        for old in _smaller_files(post, name, root):
            if old not in wanted:  # a width no longer asked for
                (root / old).unlink()
        if exported is not None:
            write_atomic(root / data_path(post, name), exported)
            manifest["outputs"]["data"] = {"path": "/" + data_path(post, name).as_posix(),
                                           "bytes": len(exported),
                                           "sha256": hashlib.sha256(exported).hexdigest()}
        else:
            (root / data_path(post, name)).unlink(missing_ok=True)
        manifest["manifest_sha256"] = manifest_digest(manifest)
        write_atomic(root / manifest_path(name), dump_manifest(manifest).encode())
    except FigureError:
        raise
    except Exception as exc:
        raise FigureError(f"figure {source.name!r} failed: {type(exc).__name__}: {exc}") from exc
    return BuildResult(source.name, time.perf_counter() - start, manifest["outputs"])


def dump_manifest(manifest: dict) -> str:
    """Stable YAML: fixed key order, facts sorted, no line wrapping."""
    import yaml

    header = "# Generated by `make figures` (figures_src/build/pipeline.py): do not edit.\n"
    return header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True,
                                   default_flow_style=False, width=10_000)
