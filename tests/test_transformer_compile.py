"""torch.compile on transformer denoisers (tiny Flux, DiT, Wan) with stepcache on: the blocks stay compiled, one
compiled graph per call on a fixed schedule (the only break: stepcache's eager decision before it), each kind of
step compiles once and nothing recompiles across steps or calls; output equal to eager, call 2 equal to call 1.

``schedule="first-block"`` decides inside the call, from the first block's output (as diffusers' FirstBlockCache
does): a second break there, by design, with the decision eager; still nothing recompiles once each kind of step
has been compiled."""

import pytest
import torch
import torch._dynamo as dynamo

import stepcache
import tiny_dit
from stepcache import DeepCacheConfig

STEPS = 7
FIRST_BLOCK = {"flux": 0.5, "dit": 0.3, "wan": 0.3}  # thresholds at which these tiny models cache some steps


class Backend:
    """dynamo's eager backend (the graphs dynamo captures, run as captured: what is compiled and how often is
    dynamo's doing, the backend only runs it), counting compilations (compile ids), recompilations of a frame, and
    runs of compiled graphs."""

    def __init__(self):
        self.inner = dynamo.lookup_backend("eager")
        self.ids, self.recompiled, self.runs = set(), set(), 0

    def __call__(self, gm, example_inputs):
        cid = torch._guards.CompileContext.current_compile_id()
        self.ids.add(str(cid))
        if cid.frame_compile_id:
            self.recompiled.add(str(cid))
        compiled = self.inner(gm, example_inputs)

        def run(*args):
            self.runs += 1
            return compiled(*args)
        return run


def run(pipe, kw, steps=STEPS):
    out = pipe(**kw, num_inference_steps=steps, generator=torch.Generator().manual_seed(0), output_type="latent")
    out = out[0] if isinstance(out, tuple) else getattr(out, "images", getattr(out, "frames", out))
    return torch.as_tensor(out)


def graphs_per_step(pipe, backend):
    """Compiled graphs run at each step: read at each ``scheduler.step`` (outside the compiled region)."""
    seen, step = [], pipe.scheduler.step
    last = {"runs": backend.runs}

    def counted(*args, **kwargs):
        seen.append(backend.runs - last["runs"])
        last["runs"] = backend.runs
        return step(*args, **kwargs)
    pipe.scheduler.step = counted
    return seen


@pytest.fixture(autouse=True)
def fresh_dynamo():
    dynamo.reset()
    yield
    dynamo.reset()


def compiled_runs(pipe, kw, config):
    """Eager reference, then two compiled calls; returns what the test checks."""
    with stepcache.cached(pipe, config):
        eager = run(pipe, kw)
        patterns = stepcache.summary(pipe).streams
        model = pipe.transformer
        backend = Backend()
        pipe.transformer = torch.compile(model, backend=backend)
        dynamo.utils.counters.clear()
        try:
            per_step = graphs_per_step(pipe, backend)
            first = run(pipe, kw)
            frames1, recompiled1 = len(backend.ids), set(backend.recompiled)
            assert stepcache.summary(model).streams == patterns  # compiled, the same decisions
            second = run(pipe, kw)
        finally:
            pipe.transformer = model
            del pipe.scheduler.step
    return dict(eager=eager, first=first, second=second, patterns=patterns, per_step=per_step,
                frames1=frames1, frames2=len(backend.ids), recompiled1=recompiled1,
                recompiled2=backend.recompiled - recompiled1,
                breaks=dict(dynamo.utils.counters["graph_break"]))


def kinds(patterns, config):
    """Kinds of call a fixed schedule makes: full and recording, cached, and full without recording (a last step
    run full keeps nothing); extrapolating, cached steps before and after the second full step differ."""
    return ({"F", "C"} | ({"last full"} if any(p.endswith("F") for p in patterns) else set())
            | ({"C, extrapolated"} if config.extrapolate else set()))


@pytest.mark.parametrize("family", ["flux", "dit", "wan"])
@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3), DeepCacheConfig(interval=2, first_blocks=2,
                                                                                 last_blocks=1),
                                    DeepCacheConfig(interval=3, extrapolate=True)],
                         ids=["N3", "N2-F2B1", "N3-extrapolated"])
def test_fixed_schedule_one_graph_per_call(family, config):
    pipe, kw = tiny_dit.BUILDERS[family]()
    r = compiled_runs(pipe, kw, config)
    calls_per_step = len(r["patterns"])
    assert all("C" in p for p in r["patterns"])
    # every call runs exactly one compiled graph: the blocks (live ones and the residual) stay compiled, the only
    # break is stepcache's eager decision at the top of the call
    assert r["per_step"] == [calls_per_step] * (2 * STEPS)
    assert sum(r["breaks"].values()) <= r["frames1"]
    # each kind of step compiles once; nothing recompiles in the second call
    assert r["frames1"] <= len(kinds(r["patterns"], config))
    assert r["frames2"] == r["frames1"] and not r["recompiled2"]
    assert torch.allclose(r["first"], r["eager"], atol=1e-5) and torch.equal(r["first"], r["second"])


@pytest.mark.parametrize("family", ["flux", "dit"])
def test_first_block_compiles_once_per_kind_of_step(family):
    pipe, kw = tiny_dit.BUILDERS[family]()
    r = compiled_runs(pipe, kw, DeepCacheConfig(schedule="first-block", threshold=FIRST_BLOCK[family]))
    (pattern,) = r["patterns"]
    assert "C" in pattern[1:] and "F" in pattern[1:]  # both decisions occur after the first step
    second_call = r["per_step"][STEPS:]
    # once compiled, a decided call runs the same compiled graphs for the same decision, step after step
    for kind in "FC":
        assert len({n for n, k in zip(second_call[1:], pattern[1:]) if k == kind}) == 1
    # nothing compiled in the second generation: no recompilation across calls
    assert r["frames2"] == r["frames1"] and not r["recompiled2"]
    assert torch.allclose(r["first"], r["eager"], atol=1e-5) and torch.equal(r["first"], r["second"])


def test_first_block_decision_is_one_eager_break():
    """The decided call breaks where the first block's output is read, and nowhere else: the reasons are the eager
    placement (top of the call) and the eager decision (``torch.compiler.disable``), no ``.item()`` traced."""
    pipe, kw = tiny_dit.flux()
    r = compiled_runs(pipe, kw, DeepCacheConfig(schedule="first-block", threshold=FIRST_BLOCK["flux"]))
    reasons = " ".join(r["breaks"])
    assert "item()" not in reasons
    assert len(r["breaks"]) <= 2
