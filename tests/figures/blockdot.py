"""Read a transformer block back out of DOT source, and run it.

figures_src.figures.diagrams.draw_block names its nodes "<prefix>__<step>". This
helper parses the DOT text (what graphviz renders), takes the nodes of one
block and the visible edges between them, orders them the only way the
arrows allow, and replays that picture as a data-flow graph on the tensors
that forward hooks recorded (diagrams.call_order): every drawn sub-module
must receive exactly what the drawn arrows bring it, every "+" must add its
two drawn inputs, and the last drawn node must hold the block's output.
A picture that passes computes what Block.forward computes.
"""
import re

import torch

EDGE = re.compile(r"^\s*(\"?[\w]+\"?) -> (\"?[\w]+\"?)(?: \[(.*)\])?\s*$")
NOT_DRAWN = ("dropout",)  # identity at p = 0 and in eval mode; not a step of the picture


def edges(source):
    """Visible edges as (tail, head, attributes), in the direction the data flows
    (an edge written with dir=back carries data from its head to its tail)."""
    found = []
    for line in source.splitlines():
        match = EDGE.match(line)
        if not match:
            continue
        tail, head, attrs = (match.group(1).strip('"'), match.group(2).strip('"'),
                             match.group(3) or "")
        if "invis" in attrs:
            continue
        if re.search(r"\bdir=back\b", attrs):
            tail, head = head, tail
        found.append((tail, head, attrs))
    return found


def steps_of(node, prefix):
    """The steps a node computes, from its id: () for a junction or corner point."""
    step = node[len(prefix) + 2:]
    if step.startswith(("split_", "corner_")):
        return ()
    if step.endswith("_add_norm"):
        sublayer = step[:-len("_add_norm")]
        return (f"{sublayer}_add", f"{sublayer}_norm")
    return (step,)


def drawn_order(source, prefix, start):
    """The block's nodes in data-flow order, with each node's drawn inputs.

    start: the node the block reads from. Fails unless exactly one order is
    possible (a block is one chain of steps, the residuals only add inputs).
    """
    inside = lambda n: n.startswith(prefix + "__")  # noqa: E731
    inputs = {}
    for tail, head, _ in edges(source):
        if inside(head) and (inside(tail) or tail == start):
            inputs.setdefault(head, []).append(tail)
        inputs.setdefault(tail, []) if inside(tail) else None
    done, order = {start}, []
    while len(order) < len(inputs):
        ready = [n for n in inputs if n not in done and all(t in done for t in inputs[n])]
        assert len(ready) == 1, f"after {order[-3:]}, {len(ready)} nodes could come next: {ready}"
        done.add(ready[0])
        order.append(ready[0])
    return order, inputs


def value(output):
    """A sub-module's main output (attention returns (output, weights))."""
    return output[0] if isinstance(output, tuple) else output


def replay(source, prefix, start, calls):
    """Run the drawn block on the recorded calls; returns the drawn module order.

    calls: diagrams.call_order(block). Asserts along the way (see module doc).
    """
    order, inputs = drawn_order(source, prefix, start)
    ran = [c for c in calls if c.name not in ("input", "memory", "output") + NOT_DRAWN]
    drawn_modules = [s for node in order for s in steps_of(node, prefix) if not s.endswith("_add")]
    assert drawn_modules == [c.name
                             for c in ran], "the drawn order is not the order forward() calls"
    by_name = {c.name: c for c in ran}
    values = {start: calls[0].output}
    for node in order:
        steps = steps_of(node, prefix)
        tails = inputs[node]
        if steps and steps[0] in ("self_attn", "cross_attn"):
            tails = list(dict.fromkeys(tails))  # V, K and Q drawn as three arrows from one stream
        incoming = [values[t] for t in tails]
        if not steps:
            assert len(incoming) == 1, f"{node}: a junction with {len(incoming)} inputs"
            values[node] = incoming[0]
            continue
        current = None
        for step in steps:
            if step.endswith("_add"):
                assert len(incoming) == 2, f"{node}: '+' with {len(incoming)} inputs"
                current = incoming[0] + incoming[1]
            else:
                if current is None:
                    assert len(incoming) == 1, f"{node}: {len(incoming)} drawn inputs"
                    current = incoming[0]
                call = by_name[step]
                torch.testing.assert_close(call.input, current, msg=f"{step} is fed something else")
                current = value(call.output)
        values[node] = current
    torch.testing.assert_close(values[order[-1]], calls[-1].output, msg="the drawn block's output")
    return drawn_modules
