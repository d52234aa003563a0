"""One folder per post, one module per figure. How to add a figure:

The contract
------------
A module `figures_src/figures/<post_slug_with_underscores>/<name_with_underscores>.py`
declares its figure and two functions; the pipeline finds it by its file name
(the figure is called `<name-with-dashes>`, unique across all posts; modules
starting with "_" are not figures) and it belongs to the post of its folder:

    FIGURE = Figure(name=..., alt=..., caption=..., raster=False)
    def compute() -> dict    # heavy, theme-independent; called ONCE per build,
                             # after torch is seeded (from the name) and its
                             # thread count fixed. data["facts"]: a flat dict of
                             # numbers/strings, written to the manifest (floats
                             # rounded to 4 significant digits) for the post.
    def draw(data, theme)    # -> matplotlib Figure or graphviz Digraph; called
                             # twice, theme = style.LIGHT then style.DARK, inside
                             # theme.rc() (matplotlib colours, Lato font, sizes).

    def export(data) -> dict  # optional: JSON-able data the page loads (e.g. an
                             # interactive view), written beside the images as
                             # <name>.json, hash-tracked like them.

Use `theme.palette` / `theme.color("orange")` / `theme.fill("orange")` /
`theme.cmap()` / `theme.digraph()`; never a colour of your own, never
`savefig` (the pipeline renders with figures_src/build/render.py and writes).
A figure module imports figures_src.experiments, figures_src.nn and
figures_src.figures.figure; never another figure module, the pipeline or the style.
Shared drawing code lives in figures_src/figures/diagrams.py.
Caption and alt may quote facts: "{var_qk:.3g}"; double literal braces.
Diagrams read bottom to top or left to right, as the papers draw them.
Graphviz layout depends on statement order: emit nodes and edges from lists
or dicts (insertion order), never by iterating a set, so the DOT is stable.

Example
-------
    '''Sine waves of growing wavelength: why positions get distinct codes.'''
    import torch
    from figures_src.figures.figure import Figure

    FIGURE = Figure(name="sine-demo", alt="Three sine curves of growing wavelength.",
                    caption="The slowest wave has period {period:.3g} positions.")

    def compute() -> dict:
        pos = torch.arange(64.0)
        periods = [8.0, 16.0, 32.0]
        waves = [torch.sin(2 * torch.pi * pos / p) for p in periods]
        return {"pos": pos, "waves": waves, "facts": {"period": max(periods)}}

    def draw(data, theme):
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 3.2))
        for wave in data["waves"]:
            ax.plot(data["pos"], wave)
        ax.set_xlabel("position")
        return fig

Build and check
---------------
    make figure-sine-demo          # or: .venv/bin/python -m figures_src.build build sine-demo
    make figures                   # every stale figure (make -j2 figures: in parallel)
    make figures-list              # names, modules, stale or ok

Outputs: assets/img/posts/<post slug>/sine-demo-{light,dark}.svg and the
manifest _data/figures/sine-demo.yml (site.data.figures["sine-demo"]: post,
alt, caption, width/height, facts). Commit all three. The post embeds the
figure with `{% figure sine-demo %}` and quotes a fact with
`{% fact sine-demo period %}`.

Its test goes in tests/figures/test_sine_demo.py and checks compute()'s data,
the same tensors the figure draws, e.g. with the `figure_data` fixture
(tests/figures/conftest.py): `data = figure_data("sine-demo")`. The generic
tests (tests/figures/test_pipeline.py, test_manifest.py) already check that
the files exist, are valid, match the manifest and are up to date.
"""
