#!/usr/bin/env bash
# Regenerate every committed benchmark result (about two hours on a 2-core CPU machine; keep it quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/stepcache bench --steps 50 --no-beyond --no-sd-preset --samples 1000 --batch 100 --timing-batch 20 --repeats 5 --threads 1 \
    --quality-threads 2 --out benchmarks/results
.venv/bin/stepcache bench --steps 100 --no-beyond --no-sd-preset --samples 500 --batch 100 --timing-batch 20 --repeats 5 --threads 1 \
    --quality-threads 2 --out benchmarks/results/100-steps
.venv/bin/python benchmarks/memory_bench.py --steps 50 --batch 20 --repeats 3 --out benchmarks/results
.venv/bin/python benchmarks/generate_throughput.py --items 200 --steps 50 --out benchmarks/results
.venv/bin/python benchmarks/controlnet_bench.py --steps 50 --repeats 5 --out benchmarks/results
.venv/bin/python benchmarks/compile_bench.py --steps 50 --repeats 3 --out benchmarks/results
.venv/bin/stepcache bench --beyond-only --predictor final --steps 50 --samples 1000 --batch 100 --timing-batch 20 \
    --repeats 5 --threads 1 --quality-threads 2 --out benchmarks/results/beyond
.venv/bin/stepcache calibrate --speedup 2 --branches 1 --samples 20 --steps 50 --out benchmarks/results/beyond/profile-2x.json
.venv/bin/stepcache bench --steps --repeats 15 --threads 1 --out benchmarks/results/sd-preset
.venv/bin/python benchmarks/real_floor.py --out benchmarks/results
