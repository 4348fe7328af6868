#!/usr/bin/env bash
# Everything to run on a GPU machine that is lent for a short time, prepared and tested on a CPU first. Such a
# loan may be as short as 15 minutes, the machine's start (a minute or more) included, with one command limited
# to 10 minutes: so the work that matters most (the weights) goes in ONE call, first.
#
#   bash weights_factory/gpu_session.sh prepare   # HERE: wheels the GPU image lacks (build/wheels, Python 3.12) and the
#                                       # v2 training photographs (build/photographs, ~30 MB; needs the Debian
#                                       # packages: apt-get install plasma-workspace-wallpapers
#                                       # lomiri-wallpapers-16.04 lomiri-wallpapers-20.04)
#   bash weights_factory/gpu_session.sh session   # THERE, the one device call (timeout_s 600, ~8 min on an H200):
# the v2
#                                       # weights x2, then x4 and x3 started from x2 (the paper's recipe), each
#                                       # copied to $OUT as soon as it is done; then, if at least
#                                       # PROFILE_BEFORE s are left, notebook 03 under the `gpu` profile, timed
#   bash weights_factory/gpu_session.sh weights   # THERE: the weights alone (a rerun)
#   bash weights_factory/gpu_session.sh bench     # THERE, only if the budget allows a second call: the full
#                                       # benchmarks/gpu_training.py (Keras-JAX vs PyTorch, a 20k-step run, notebook 03)
#   bash weights_factory/gpu_session.sh realistic # THERE: benchmarks/realistic_recipe_steps.py, the realistic x4
#                                       # recipe change by change, STEPS (300) steps a row, ROWS (all); each row is
#                                       # printed when done, so a call stopped at its limit keeps the rows done
#
# Device calls carry ["build/wheels", "build/photographs"]; the command is `bash weights_factory/gpu_session.sh
# session`.
# What comes back ($OUT, at most 8 files): edsr_baseline_x{2,4,3}.weights.h5, x{2,4,3}-logs.tgz (summary with
# the validation table, the per-epoch log, the console), session.log, log_gpu.csv. Afterwards, here:
# copy the weights and the unpacked summary_x*.json / training_log_x*.csv into edsr_helpers/models/edsr/weights/ and run
# `python weights_factory/train.py --card-only`.
# SMOKE=1 runs `session`, `weights`, `bench` and `realistic` at toy sizes, which is how CI tests them on a CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build/gpu}
STARTED=$SECONDS
PROFILE_BEFORE=${PROFILE_BEFORE:-480} # start notebook 03's run only before this many seconds (10-min call)

install_wheels() {
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        build/wheels/*.whl
    export PYTHONPATH="/tmp/site:$PWD"
}

# the v2 recipe, fixed before training (weights-v2 in edsr_helpers/recipes.py): x2 first, then x4 and x3
# started from the trained x2 (Lim et al. 2017, Fig. 4)
train_weights() {
    work=$(mktemp -d)
    mkdir -p "$OUT"
    scales=(2 4 3) toy=()
    # the smoke run leaves x4 out: it takes the same path as x3, started from x2
    [[ -z "${SMOKE:-}" ]] || scales=(2 3) toy=(--no-photographs --epochs 1 --steps-per-epoch 2)
    for scale in "${scales[@]}"; do
        echo "[$((SECONDS - STARTED)) s] x$scale"
        python3 weights_factory/train.py --recipe v2 --scale "$scale" "${toy[@]}" --out-dir "$work" \
            --run-dir "$work/run-x$scale" 2>&1 | tee "$work/train-x$scale.log" || exit 1
        cp "$work/edsr_baseline_x$scale.weights.h5" "$OUT"/
        tar -czf "$OUT/x$scale-logs.tgz" -C "$work" "summary_x$scale.json" "training_log_x$scale.csv" "train-x$scale.log"
    done
}

case "${1:-}" in
prepare)
    mkdir -p build/wheels
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d build/wheels keras==3.15.1 namex==0.1.0 optree==0.20.0 \
        sporco==0.2.2.post1
    .venv/bin/python weights_factory/pack_photographs.py --out build/photographs
    du -sh build/wheels build/photographs
    ;;
session)
    [[ -n "${SMOKE:-}" ]] || install_wheels
    export KERAS_BACKEND=jax EDSR_PHOTO_ROOT=build/photographs PYTHONUNBUFFERED=1
    mkdir -p "$OUT"
    {
        nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
        # tee -p: a call stopped at its limit still leaves session.log in $OUT
        train_weights
        if ((SECONDS - STARTED < PROFILE_BEFORE)); then
            echo "[$((SECONDS - STARTED)) s] notebook 03 under the gpu profile"
            python3 benchmarks/gpu_training.py --profile-only --out "$OUT" ${SMOKE:+--smoke}
        else
            echo "[$((SECONDS - STARTED)) s] skipped notebook 03's timing: less than $((600 - PROFILE_BEFORE)) s left"
        fi
        echo "[$((SECONDS - STARTED)) s] done"
    } 2>&1 | tee -p "$OUT/session.log"
    ;;
weights)
    [[ -n "${SMOKE:-}" ]] || install_wheels
    export KERAS_BACKEND=jax EDSR_PHOTO_ROOT=build/photographs PYTHONUNBUFFERED=1
    train_weights
    ;;
bench)
    [[ -n "${SMOKE:-}" ]] || install_wheels
    export KERAS_BACKEND=jax EDSR_PHOTO_ROOT=build/photographs PYTHONUNBUFFERED=1
    mkdir -p "$OUT"
    python3 benchmarks/gpu_training.py --out "$OUT" ${SMOKE:+--smoke} 2>&1 | tee "$OUT/bench.log"
    ;;
realistic)
    [[ -n "${SMOKE:-}" ]] || install_wheels
    export KERAS_BACKEND=jax EDSR_PHOTO_ROOT=build/photographs PYTHONUNBUFFERED=1
    mkdir -p "$OUT"
    steps=${STEPS:-300} toy=()
    # the smoke run: two rows of two steps on the offline photos
    [[ -z "${SMOKE:-}" ]] || steps=${STEPS:-2} toy=(--dataset sample --rows a g)
    # shellcheck disable=SC2086  # ROWS: row keys, one word each
    python3 benchmarks/realistic_recipe_steps.py --steps "$steps" "${toy[@]}" ${ROWS:+--rows $ROWS} 2>&1 |
        tee -p "$OUT/realistic_steps.log"
    ;;
*)
    sed -n '2,25p' "$0"
    exit 2
    ;;
esac
