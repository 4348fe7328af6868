#!/usr/bin/env bash
# Everything a session with a lent GPU (the `device` tool) has to run, prepared and tested on a CPU first.
#
#   bash tools/gpu_session.sh prepare   # HERE: wheels the GPU image lacks (build/wheels, Python 3.12) and the
#                                       # v2 training photographs (build/photographs, ~30 MB; needs the Debian
#                                       # packages: apt-get install plasma-workspace-wallpapers
#                                       # lomiri-wallpapers-16.04 lomiri-wallpapers-20.04)
#   bash tools/gpu_session.sh bench     # THERE, one device call (< 10 min): benchmarks/gpu_training.py, i.e.
#                                       # Keras-JAX vs PyTorch, a 20k-step run, and notebook 03's cells under the
#                                       # class-sized `gpu` profile, timed; output and weights in $OUT
#   bash tools/gpu_session.sh weights   # THERE, a second call: the v2 pretrained weights for x4, x3 and x2
#                                       # (issue 12's recipe, fixed before training): $OUT/*.weights.h5 and
#                                       # $OUT/weights-v2-logs.tgz (summaries with the validation table, logs)
#
# Device calls carry ["build/wheels", "build/photographs"]; the command is `bash tools/gpu_session.sh bench`.
# SMOKE=1 runs `bench` and `weights` at toy sizes, which is how they are tested on a CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build/gpu}

install_wheels() {
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        build/wheels/*.whl
    export PYTHONPATH="/tmp/site:$PWD"
}

case "${1:-}" in
prepare)
    mkdir -p build/wheels
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d build/wheels keras==3.15.1 namex==0.1.0 optree==0.20.0 \
        sporco==0.2.2.post1
    .venv/bin/python tools/pack_photographs.py --out build/photographs
    du -sh build/wheels build/photographs
    ;;
bench)
    [[ -n "${SMOKE:-}" ]] || install_wheels
    export KERAS_BACKEND=jax EDSR_PHOTO_ROOT=build/photographs
    mkdir -p "$OUT"
    python3 benchmarks/gpu_training.py --out "$OUT" ${SMOKE:+--smoke} 2>&1 | tee "$OUT/bench.log"
    ;;
weights)
    [[ -n "${SMOKE:-}" ]] || install_wheels
    export KERAS_BACKEND=jax EDSR_PHOTO_ROOT=build/photographs
    # issue 12's recipe: 48 px LR patches, batch 16, Adam 2e-4 with a cosine decay, area-weighted choice of
    # photo, the offline training photos + 11 plasma + 14 lomiri photographs; x4 20k steps, x3 15k, x2 15k
    work=$(mktemp -d)
    for spec in 4:20 3:15 2:15; do
        scale=${spec%%:*} epochs=${spec##*:} steps=1000 photos=--photographs
        if [[ -n "${SMOKE:-}" ]]; then epochs=1 steps=2 photos=; fi
        python3 tools/train_pretrained.py --scale "$scale" $photos --patch 48 --batch 16 \
            --schedule cosine --learning-rate 2e-4 --warmup 0 --sampling area \
            --epochs "$epochs" --steps-per-epoch "$steps" --out-dir "$work" --run-dir "$work/run-x$scale" \
            2>&1 | tee "$work/train-x$scale.log"
    done
    # the device returns at most 8 files of <= 16 MiB: the three weights files, and one archive of the rest
    mkdir -p "$OUT"
    mv "$work"/*.weights.h5 "$OUT"/
    tar -czf "$OUT/weights-v2-logs.tgz" -C "$work" --exclude='run-x*' .
    ;;
*)
    sed -n '2,16p' "$0"
    exit 2
    ;;
esac
