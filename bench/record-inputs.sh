#!/usr/bin/env bash
# Records the real, large inputs of `npm run bench` into bench/out/ (git-ignored):
#
#   http-3.12.txt   stdlib ThreadingHTTPServer under 8 urllib client threads, CPython 3.12 -X perf (~150 MB)
#   pool-3.13.txt   ThreadPoolExecutor mixing hashlib and json, CPython 3.13 (~150 MB)
#   tests-3.11.txt  a slice of CPython's own test suite (test_queue test_thread …), CPython 3.11 (~150 MB)
#
#   sudo bench/record-inputs.sh              # all three
#   sudo bench/record-inputs.sh http pool    # just these
#
# Needs root (or perf_event_paranoid <= -1 and tracefs access), perf with dwarf unwinding and the
# pyenv CPythons 3.11.7, 3.12.1, 3.13.0 (PYENV_ROOT, default ~/.pyenv). Each recording is
#
#   perf record -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking --switch-events \
#       --call-graph dwarf -k CLOCK_MONOTONIC -m $MMAP_PAGES -- PYTHON WORKLOAD
#   perf script --no-inline --show-switch-events --show-lost-events > bench/out/NAME.txt
#
# Thread contention (test_queue's many-threads tests) switches threads every few microseconds and
# every sched_switch sample carries 8 KiB of user stack: with perf's default buffers most events of
# such a burst are lost. The ring buffers are therefore 512 MiB per CPU (-m 131072 pages), and perf
# runs at SCHED_FIFO priority (the workload is reset to SCHED_OTHER) so that it drains them in time.
# bench/out/recordings.txt lists what was lost (PERF_RECORD_LOST totals): 0 on the development VM.
#
# Recordings are real: a re-run gives different (but equivalent) files. The perf.data files stay in
# $WORK (default bench/out/data) for end-to-end runs (`offgil -i FILE.data`).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$BENCH/out
WL=$BENCH/workloads
WORK=${WORK:-$OUT/data}
MMAP_PAGES=${MMAP_PAGES:-131072}
PYENV_VERSIONS=${PYENV_ROOT:-$HOME/.pyenv}/versions
PY311=$PYENV_VERSIONS/3.11.7/bin/python3.11
PY312=$PYENV_VERSIONS/3.12.1/bin/python3.12
PY313=$PYENV_VERSIONS/3.13.0/bin/python3.13

# perf's build-id cache stays out of ~/.debug.
perf() { command perf --buildid-dir "$WORK/buildid" "$@"; }

mkdir -p "$OUT" "$WORK"
cd "$WORK"

log() { printf '### %s\n' "$*" >&2; }

# record NAME -- COMMAND...: records COMMAND and converts the recording to $OUT/NAME.txt.
record() {
    local name=$1
    shift 2
    log "$name: $*"
    rm -f "$WORK/$name.data"
    # perf starts the program itself (no wrapper such as chrt or env in between: perf 6.1's libunwind
    # fails on most stacks after an exec inside the recording, offgil's truncated-stacks warning);
    # perf alone then gets real-time priority so that it keeps up, the program keeps its own.
    perf record -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking --switch-events \
        --call-graph dwarf -k CLOCK_MONOTONIC -m "$MMAP_PAGES" -o "$WORK/$name.data" \
        -- "$@" >"$WORK/$name.record.log" 2>&1 &
    local perf_pid=$!
    sleep 0.2
    chrt -f -p 20 "$perf_pid" || true
    wait "$perf_pid" || {
        tail -n 20 "$WORK/$name.record.log" >&2
        return 1
    }
    tail -n 2 "$WORK/$name.record.log" >&2
    perf script --no-inline --show-switch-events --show-lost-events -i "$WORK/$name.data" \
        >"$OUT/$name.txt" 2>"$WORK/$name.script.log"
    local lost
    lost=$(awk '/PERF_RECORD_LOST/ { n += $NF } END { print n + 0 }' "$OUT/$name.txt")
    touch "$OUT/recordings.txt"
    grep -v "^$name.txt " "$OUT/recordings.txt" >"$OUT/recordings.txt.new" || true
    printf '%s %s bytes, lost events: %s, recorded %s: %s\n' "$name.txt" "$(stat -c %s "$OUT/$name.txt")" "$lost" \
        "$(date -u +%FT%TZ)" "$*" | tee -a "$OUT/recordings.txt.new" >&2
    mv "$OUT/recordings.txt.new" "$OUT/recordings.txt"
}

# pid of the first python3.12 record (the -X perf map /tmp/perf-PID.map is that process's)
first_pid() { awk '$1 ~ /^python/ { print $2; exit }' "$1"; }

input() {
    case $1 in
    http)
        # -X perf writes /tmp/perf-PID.map, which perf script reads: convert, then remove it.
        record http-3.12 -- "$PY312" -X perf "$WL/http_server.py" "${HTTP_SECONDS:-7}"
        rm -f "/tmp/perf-$(first_pid "$OUT/http-3.12.txt").map" ;;
    pool)
        record pool-3.13 -- "$PY313" "$WL/hash_json_pool.py" "${POOL_SECONDS:-13}" ;;
    tests)
        # test_queue's many-threads tests are the bulk (thousands of GIL hand-offs a second).
        record tests-3.11 -- "$PY311" -m test test_queue test_thread test_threading_local test_threadedtempfile ;;
    *)
        echo "unknown input: $1 (http, pool, tests)" >&2
        return 1 ;;
    esac
}

if (($# == 0)); then set -- http pool tests; fi
for name in "$@"; do input "$name"; done
