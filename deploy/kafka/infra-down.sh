#!/usr/bin/env bash
# Stop the local Kafka broker started by infra-up.sh (same KAFKA_DATA_DIR), or with
# KAFKA_NODES=3 the three nodes of the cluster it started.
# SIGTERM (controlled shutdown, data kept), bounded wait, SIGKILL as a last resort.
# Idempotent. `--wipe` or KAFKA_WIPE=1 also deletes the data dir.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_NODES=${KAFKA_NODES:-1}
if [[ $KAFKA_NODES == 3 ]]; then
  KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$REPO_ROOT/.infra/kafka-cluster}
else
  KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$REPO_ROOT/.infra/kafka}
fi
KAFKA_STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-60}
KAFKA_WIPE=${KAFKA_WIPE:-0}

usage() { printf 'usage: %s [--wipe]\n  --wipe  also delete the data dir (%s)\n' "$0" "$KAFKA_DATA_DIR"; }
for arg in "$@"; do
  case $arg in
    --wipe) KAFKA_WIPE=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

log() { printf '[kafka infra-down] %s\n' "$*"; }
die() { printf '[kafka infra-down] ERROR: %s\n' "$*" >&2; exit 1; }

now() { if [[ -n ${EPOCHREALTIME:-} ]]; then printf '%s' "${EPOCHREALTIME/,/.}"; else date +%s; fi; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T0=$(now)

# The three nodes of a cluster, each stopped as a node alone; then the cluster's folder.
if [[ $KAFKA_NODES == 3 ]]; then
  for i in 1 2 3; do
    KAFKA_NODES=1 KAFKA_PORT=$((KAFKA_PORT + 2 * (i - 1))) KAFKA_DATA_DIR=$KAFKA_DATA_DIR/node-$i \
      bash "${BASH_SOURCE[0]}" "$@" 2>&1 | sed -u "s/^\[kafka infra-down\]/[kafka infra-down node $i]/" &
  done
  wait
  if [[ $KAFKA_WIPE == 1 && -d $KAFKA_DATA_DIR ]]; then
    case $(cd -- "$KAFKA_DATA_DIR" && pwd -P) in
      / | "$HOME" | "$REPO_ROOT" | "$SCRIPT_DIR") die "refusing to delete $KAFKA_DATA_DIR" ;;
    esac
    rm -rf -- "$KAFKA_DATA_DIR"
    log "wiped $KAFKA_DATA_DIR"
  fi
  exit 0
fi

if [[ ! -d $KAFKA_DATA_DIR ]]; then
  log "no data dir $KAFKA_DATA_DIR -- nothing to stop"
  exit 0
fi
DATA_DIR=$(cd -- "$KAFKA_DATA_DIR" && pwd -P)
PID_FILE=$DATA_DIR/broker.pid

if command -v flock >/dev/null 2>&1; then
  exec 9>"$DATA_DIR/.lock"
  # Waits for a concurrent infra-up to finish starting; never blocks forever.
  flock -w 120 9 || log "warning: $DATA_DIR/.lock still held after 120 s -- stopping anyway"
fi

is_our_broker() { # pid
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null && ps -p "$1" -o args= 2>/dev/null | grep -q 'kafka\.Kafka'
}
port_open() ( exec 3<>"/dev/tcp/127.0.0.1/$1" ) 2>/dev/null

pid=""
[[ -f $PID_FILE ]] && pid=$(cat -- "$PID_FILE" 2>/dev/null || true)
if is_our_broker "$pid"; then
  log "stopping broker pid $pid (SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)"
  T0=$(now)
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s -- SIGKILL (log recovery will run on next start)"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  log "stopped in $(since "$T0") s"
else
  [[ -n $pid ]] && log "stale pid file (pid $pid is not a running broker) -- removed"
  [[ -z $pid ]] && log "no broker started from $DATA_DIR is running"
fi
rm -f -- "$PID_FILE"

if port_open "$KAFKA_PORT"; then
  log "note: something still listens on 127.0.0.1:$KAFKA_PORT (not started from this data dir) -- left alone"
fi

if [[ $KAFKA_WIPE == 1 ]]; then
  case $DATA_DIR in
    / | "$HOME" | "$REPO_ROOT" | "$SCRIPT_DIR") die "refusing to delete $DATA_DIR" ;;
  esac
  rm -rf -- "$DATA_DIR"
  log "wiped $DATA_DIR"
fi
