"""MACs counted by torch.utils.flop_counter: a cached step costs exactly the fraction branches() reports."""

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.families.unet import sample_inputs


@pytest.mark.parametrize("make", [lambda: tiny.sd_unet(levels=3), lambda: tiny.ddpm_unet(levels=3, layers_per_block=1),
                                  lambda: tiny.ddpm_unet(levels=2, layers_per_block=3, class_conditional=True)],
                         ids=["sd", "ddpm-lpb1", "ddpm-lpb3-class"])
def test_cached_step_macs_match_branches(make):
    unet = make()
    infos = stepcache.branches(unet)
    args, kwargs = sample_inputs(unet)
    with FlopCounterMode(display=False) as plain, torch.no_grad():
        unet(*args, **kwargs)
    for info in infos:
        with stepcache.cached(unet, DeepCacheConfig(interval=2, branch=info.branch, num_steps=2)):
            with torch.no_grad(), stepcache.generation(unet):  # a hand-written generation of two steps
                unet(*args, **kwargs)  # full
                unet(args[0].clone(), *args[1:], **kwargs)  # cached (a new sample: the next step)
            s = stepcache.summary(unet)
        assert s.streams == ("FC",)
        assert s.macs_full * 2 == plain.get_total_flops()
        assert s.macs_cached / s.macs_full == pytest.approx(info.mac_fraction, rel=1e-12)
        assert s.ideal_speedup == pytest.approx(2 / (1 + info.mac_fraction))
    assert infos[0].producer == "conv_in" and infos[0].shape[1:] == (unet.config.sample_size,) * 2


def test_summary_text(tmp_path):
    pipe = tiny.sd_pipe(tmp_path)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, branch=2)):
        tiny.sd_call(pipe, steps=7)
        text = str(stepcache.summary(pipe))
    assert "uniform N=3 branch=2: 7 U-Net calls in 1 stream(s)" in text
    assert "stream 0: FCCFCCF  (3 full, 4 cached)" in text and "ideal speedup" in text
