#!/usr/bin/env bash
# Run a long command (a weights training) in the background at low CPU priority, for real, appending its output
# to a log; prints the command's pid, which is also its process group:
#
#   bash tools/in_background.sh build/weights-v2/train.log make pretrained
#   kill -STOP -- -PID   pause it (all its processes)      kill -CONT -- -PID   go on      kill -- -PID   stop it
#
# Why not `nice -n 10 make pretrained &`: Linux's autogroup scheduler (on in most distributions:
# /proc/sys/kernel/sched_autogroup_enabled) first shares the CPU between sessions (each terminal, ssh login or
# setsid), and nice only orders the processes inside one session. A niced training in a terminal of its own
# still takes its full share from a notebook in another: beside one, a PyTorch training step took 8.0 s instead
# of 0.83 s (benchmarks/busy_cpu.py measures it). So the command gets a session of its own whose weight is lowered
# too (/proc/self/autogroup; where there is none, plain nice is all there is and all that is needed).
set -euo pipefail
if (($# < 2)); then
    echo "usage: bash $0 LOGFILE COMMAND [ARGS...]" >&2
    exit 2
fi
log=$1
shift
mkdir -p "$(dirname "$log")"
if command -v setsid >/dev/null; then
    # setsid does not fork here (a background job of a script is not a process-group leader), so $! is the
    # session's first process and its pid names the whole group
    setsid bash -c 'echo 10 2>/dev/null >/proc/self/autogroup || true; exec nice -n 10 "$@"' low-priority "$@" \
        >>"$log" 2>&1 </dev/null &
else # macOS and others without setsid, and without autogroups: nice works there; a process group of its own
    set -m
    nohup nice -n 10 "$@" >>"$log" 2>&1 </dev/null &
fi
echo "$!"
echo "in the background at low priority as pid $! (pause: kill -STOP -- -$!; stop: kill -- -$!); log: $log" >&2
