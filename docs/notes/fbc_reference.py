"""A from-the-note re-implementation of diffusers' FirstBlockCache decision, checked bit for bit against diffusers.

It does not use diffusers' hooks or its TransformerBlockRegistry: it replaces the blocks' ``forward`` on the
instance, follows ``docs/notes/first_block_cache.md`` (sections 1-4) literally, keeps per-context state keyed by the
name the pipeline passes to ``transformer.cache_context(...)`` and clears it when a call completes. It then compares,
on the tiny Flux (guidance-distilled and true-CFG), Wan and CogVideoX pipelines, for a threshold sweep over 2
consecutive calls and an abort-then-rerun: the final outputs (``torch.equal``) and the per-denoiser-call
compute/cache decisions, against ``pipe.transformer.enable_cache(FirstBlockCacheConfig(threshold))``.

    OMP_NUM_THREADS=1 .venv/bin/python docs/notes/fbc_reference.py
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
torch.set_num_threads(1)

import tiny_dit  # noqa: E402

LISTS = ("blocks", "transformer_blocks", "single_transformer_blocks", "layers", "visual_transformer_blocks",
         "temporal_transformer_blocks")
# (index of hidden_states in the block's output, index of encoder_hidden_states or None); None: tensor output
INDICES = {"FluxTransformerBlock": (1, 0), "FluxSingleTransformerBlock": (1, 0), "CogVideoXBlock": (0, 1),
           "WanTransformerBlock": (0, None), "BasicTransformerBlock": (0, None)}
STEPS = 10


class Abort(RuntimeError):
    pass


class ReferenceFBC:
    def __init__(self, model: nn.Module, threshold: float):
        self.threshold = threshold
        self.state: dict[str, dict] = {}
        self.ctx = None
        self.decisions: list[bool] = []
        self.blocks = [b for n, c in model.named_children() if n in LISTS and isinstance(c, nn.ModuleList) for b in c]

        @contextlib.contextmanager
        def cache_context(name, **_):
            self.ctx = name
            try:
                yield
            finally:
                self.ctx = None

        model.cache_context = cache_context
        for i, b in enumerate(self.blocks):
            b.forward = functools.partial(self._forward, i, b.forward, b)

    def end_of_call(self):  # what maybe_free_model_hooks -> _reset_stateful_cache does
        self.state.clear()

    @staticmethod
    def _arg(fn, name, args, kwargs):
        if name in kwargs:
            return kwargs[name]
        return args[list(inspect.signature(fn).parameters).index(name)]

    def _forward(self, i, fn, block, *args, **kwargs):
        hs_i, ehs_i = INDICES[type(block).__name__]
        hs = self._arg(fn, "hidden_states", args, kwargs)
        s = self.state.setdefault(self.ctx, dict(p=None, head=None, tail=None, compute=True))
        if i == 0:
            out = fn(*args, **kwargs)
            tup = isinstance(out, tuple)
            o_hs = out[hs_i] if tup else out
            r = o_hs - hs
            p = s["p"]
            compute = p is None or ((r - p).abs().mean() / p.abs().mean()).item() > self.threshold
            s["compute"] = compute
            self.decisions.append(compute)
            if not compute:
                new = s["tail"][0] + o_hs
                if not tup:
                    return new
                res = [None] * len(out)
                res[hs_i] = new
                if ehs_i is not None:
                    res[ehs_i] = s["tail"][1] + out[ehs_i]
                return tuple(res)
            s["p"] = r
            s["head"] = (o_hs, out[ehs_i] if tup and ehs_i is not None else None)
            return out
        if not s["compute"]:
            if ehs_i is None:
                return hs
            res = [None, None]
            res[hs_i] = hs
            res[ehs_i] = self._arg(fn, "encoder_hidden_states", args, kwargs)
            return tuple(res)
        out = fn(*args, **kwargs)
        if i == len(self.blocks) - 1:
            if isinstance(out, tuple):
                s["tail"] = (out[hs_i] - s["head"][0], out[ehs_i] - s["head"][1] if ehs_i is not None else None)
            else:
                s["tail"] = (out - s["head"][0], None)
        return out


def call(pipe, kw, abort=False):
    kw = dict(kw)
    if abort:
        def cb(p, i, t, tensors):
            if i == 2:
                raise Abort
            return tensors
        kw["callback_on_step_end"] = cb
    try:
        return pipe(**kw, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(0), output_type="latent",
                    return_dict=False)[0]
    except Abort:
        return None


def diffusers_run(builder, threshold):
    from diffusers import FirstBlockCacheConfig
    from diffusers.hooks import first_block_cache as F

    decisions = []
    orig = F.FBCHeadBlockHook._should_compute_remaining_blocks

    def spy(self, r):
        d = orig(self, r)
        decisions.append(d)
        return d

    F.FBCHeadBlockHook._should_compute_remaining_blocks = spy
    try:
        pipe, kw = builder()
        pipe.transformer.enable_cache(FirstBlockCacheConfig(threshold=threshold))
        outs = [call(pipe, kw), call(pipe, kw), call(pipe, kw, abort=True), call(pipe, kw)]
    finally:
        F.FBCHeadBlockHook._should_compute_remaining_blocks = orig
    return outs, decisions


def reference_run(builder, threshold):
    pipe, kw = builder()
    ref = ReferenceFBC(pipe.transformer, threshold)
    outs = []
    for abort in (False, False, True, False):
        outs.append(call(pipe, kw, abort))
        if not abort:
            ref.end_of_call()
    return outs, ref.decisions


def main():
    builders = {"flux": tiny_dit.flux, "flux_true_cfg": functools.partial(tiny_dit.flux, true_cfg=True),
                "wan": tiny_dit.wan, "cogvideox": tiny_dit.cogvideox}
    ok = True
    for name, b in builders.items():
        for th in (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0):
            d_outs, d_dec = diffusers_run(b, th)
            r_outs, r_dec = reference_run(b, th)
            same_out = all((x is None and y is None) or torch.equal(x, y) for x, y in zip(d_outs, r_outs))
            same = same_out and d_dec == r_dec
            ok &= same
            cached = d_dec.count(False)
            print(f"{name:14s} threshold {th:4}: {'bit-identical' if same else 'DIFFERENT'} "
                  f"(denoiser calls {len(d_dec)}, cached {cached}; call2==call1 "
                  f"{torch.equal(d_outs[0], d_outs[1])}, rerun-after-abort==call1 {torch.equal(d_outs[0], d_outs[3])})")
    print("ALL BIT-IDENTICAL" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
