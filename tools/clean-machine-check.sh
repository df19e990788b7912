#!/usr/bin/env bash
# The README's first command on a fresh machine, as CI runs it: a clone of this checkout with no
# node_modules and no .tools, no PostgreSQL on the port of its DATABASE_URL and no broker on the port
# of its KAFKA_BROKERS, the machine's own Node.js first on PATH (any version from 20 on), then
# `npm run dev -- --until-ready`: it must install Node.js 24 and the dependencies, start an embedded
# PostgreSQL and a Kafka broker of its own, bring the four services to /health/ready and stop
# everything again. The services take their usual ports (3101…3104): nothing else may hold them.
set -euo pipefail
source_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
work=$(mktemp -d)
clone=$work/clone

free_port() { # a port with nothing listening on it nor on the next two (a broker takes three)
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null \
      && ! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 2))") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  return 1
}

cleanup() {
  # Whatever the run left behind (it stops what it started; this is for a run that failed midway).
  if [ -d "$clone/.infra/kafka" ]; then KAFKA_PORT=$kafka_port bash "$clone/deploy/kafka/infra-down.sh" >/dev/null 2>&1 || true; fi
  local postgres_dir
  postgres_dir=$(readlink -f "$clone/.infra/postgres" 2>/dev/null || echo "$clone/.infra/postgres")
  pkill -f "$clone/" 2>/dev/null || true
  pkill -f "$postgres_dir/" 2>/dev/null || true
  rm -rf -- "$work" "$postgres_dir"
}
trap cleanup EXIT

postgres_port=$(free_port)
kafka_port=$(free_port)
git clone -q "$source_root" "$clone"
[ ! -e "$clone/node_modules" ] && [ ! -e "$clone/.tools" ] || { echo "the clone is not clean" >&2; exit 1; }

# The machine's Node.js: the first `node` on PATH that is not this checkout's .tools one.
machine_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -- '/.tools/' | paste -sd: -)
if ! PATH=$machine_path command -v npm >/dev/null; then
  echo "clean machine: no Node.js of the machine's own besides .tools/: the check runs with the PATH as it is"
  machine_path=$PATH
fi
echo "clean machine: $(PATH=$machine_path node --version 2>/dev/null || echo 'no Node.js') first on PATH, PostgreSQL port $postgres_port, Kafka port $kafka_port"

cd "$clone"
started=$(date +%s)
env -u NODE_OPTIONS PATH="$machine_path" \
  DATABASE_URL="postgres://postgres@127.0.0.1:$postgres_port/postgres" \
  KAFKA_BROKERS="127.0.0.1:$kafka_port" \
  npm run dev -- --until-ready
echo "clean machine: healthy stack and clean stop in $(($(date +%s) - started)) s"
