#!/usr/bin/env bash
# Start a local Apache Kafka broker (KRaft, broker+controller) from Kafka's own
# jars resolved from Maven Central -- for machines without Docker. KAFKA_NODES=3
# starts a three-node cluster instead (replication factor 3, min ISR 2).
#
# Idempotent: if a Kafka broker already answers on 127.0.0.1:$KAFKA_PORT it
# says so and exits 0. Data (topics, offsets) lives in $KAFKA_DATA_DIR and
# survives infra-down.sh / infra-up.sh cycles. See README.md for the env vars.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
# 1: one node. 3: three nodes on loopback, node i on client port KAFKA_PORT + 2(i-1) and
# controller port one above it (9092/9093, 9094/9095, 9096/9097), data in KAFKA_DATA_DIR/node-i.
KAFKA_NODES=${KAFKA_NODES:-1}
[[ $KAFKA_NODES == 1 || $KAFKA_NODES == 3 ]] || { printf '[kafka infra-up] ERROR: KAFKA_NODES must be 1 or 3, not %s\n' "$KAFKA_NODES" >&2; exit 1; }
if [[ $KAFKA_NODES == 3 ]]; then
  KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$REPO_ROOT/.infra/kafka-cluster}
else
  KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$REPO_ROOT/.infra/kafka}
fi
# Set by the cluster start for each of its nodes; alone: node 1, its own single voter.
KAFKA_NODE_ID=${KAFKA_NODE_ID:-1}
KAFKA_QUORUM_VOTERS=${KAFKA_QUORUM_VOTERS:-$KAFKA_NODE_ID@127.0.0.1:$KAFKA_CONTROLLER_PORT}
KAFKA_CLUSTER_SIZE=${KAFKA_CLUSTER_SIZE:-$KAFKA_NODES}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_OPTS=${KAFKA_OPTS:-}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
# Any valid base64url 16-byte UUID; fixed so that a data dir is reproducible.
KAFKA_CLUSTER_ID=${KAFKA_CLUSTER_ID:-Y3VzdG9keS1sb2NhbC1rMQ}
# Empty: the <kafka.version> of pom.xml.
KAFKA_VERSION=${KAFKA_VERSION:-}
# A node alone runs Kafka's StandardAuthorizer and a SASL_PLAINTEXT listener (SCRAM-SHA-512) on
# KAFKA_SCRAM_PORT, where clients are authorised by the ACLs of docs/security.md; the PLAINTEXT
# listener on KAFKA_PORT is the tests' and the administrator's, its principal (User:ANONYMOUS) a
# super user (README.md). KAFKA_SCRAM_USERS="user:password[,user:password…]" stores SCRAM users
# when the storage is formatted (a fresh KAFKA_DATA_DIR); later ones are added over KAFKA_PORT
# (`custody-admin kafka-acls`, as `npm run dev` does).
KAFKA_SCRAM_USERS=${KAFKA_SCRAM_USERS:-}
KAFKA_SCRAM_PORT=${KAFKA_SCRAM_PORT:-$((KAFKA_PORT + 2))}
# The principals the authoriser lets do anything: the loopback listener's, and the SCRAM administrator.
KAFKA_SUPER_USERS=${KAFKA_SUPER_USERS:-User:ANONYMOUS;User:admin}

log() { printf '[kafka infra-up] %s\n' "$*"; }
die() { printf '[kafka infra-up] ERROR: %s\n' "$*" >&2; exit 1; }

now() { if [[ -n ${EPOCHREALTIME:-} ]]; then printf '%s' "${EPOCHREALTIME/,/.}"; else date +%s; fi; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T0=$(now)

for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "invalid port: $p"; fi
done
[[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"

# True if a Kafka broker answers on 127.0.0.1:$1: sends an ApiVersions v0 request
# (pure bash, no JVM) and checks the correlation id and error code of the answer.
kafka_answers() (
  port=$1
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
  # size=10 | api_key=18 | api_version=0 | correlation_id=0x12345678 | client_id=null
  printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x12\x34\x56\x78\xff\xff' >&3 || exit 1
  LC_ALL=C
  hex=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    IFS= read -r -t 3 -n 1 -d '' -u 3 c || exit 1 # -d '': a NUL byte reads as ""
    if [[ -z $c ]]; then hex+=00; else printf -v h '%02x' "'$c"; hex+=$h; fi
  done
  # bytes 4-7: correlation id, 8-9: error code
  [[ ${hex:8:12} == 123456780000 ]]
) 2>/dev/null

# Number of live brokers in a Metadata v4 response from 127.0.0.1:$1 (pure bash):
# a real metadata round trip. Kafka opens the client port only once the broker
# is unfenced, so in practice this is >= 1 as soon as kafka_answers succeeds.
kafka_metadata_brokers() (
  port=$1
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
  # size=15 | api_key=3 | api_version=4 | correlation_id=0x4d455441 | client_id=null
  # | topics=null (all) | allow_auto_topic_creation=false
  printf '\x00\x00\x00\x0f\x00\x03\x00\x04\x4d\x45\x54\x41\xff\xff\xff\xff\xff\xff\x00' >&3 || exit 1
  LC_ALL=C
  hex=""
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    IFS= read -r -t 3 -n 1 -d '' -u 3 c || exit 1
    if [[ -z $c ]]; then hex+=00; else printf -v h '%02x' "'$c"; hex+=$h; fi
  done
  # bytes 4-7: correlation id, 8-11: throttle time, 12-15: number of brokers
  [[ ${hex:8:8} == 4d455441 ]] || exit 1
  printf '%d\n' "$((16#${hex:24:8}))"
) 2>/dev/null

broker_ready() { # port
  local n
  kafka_answers "$1" && n=$(kafka_metadata_brokers "$1") && ((n >= 1))
}

port_open() ( exec 3<>"/dev/tcp/127.0.0.1/$1" ) 2>/dev/null

# ---------------------------------------------------------------- three nodes
# Each node is this script on its own ports and data dir, all three started at once (a KRaft
# quorum of three elects its leader only when two voters answer); then the cluster is ready when
# every node answers and the metadata lists three live brokers.
if [[ $KAFKA_NODES == 3 ]]; then
  [[ -z $KAFKA_SCRAM_USERS ]] || die "KAFKA_SCRAM_USERS is for a single node (KAFKA_NODES=1)"
  voters="1@127.0.0.1:$((KAFKA_PORT + 1)),2@127.0.0.1:$((KAFKA_PORT + 3)),3@127.0.0.1:$((KAFKA_PORT + 5))"
  mkdir -p -- "$KAFKA_DATA_DIR"
  # The jars once, before three starts would resolve them at the same time.
  KAFKA_NODES=1 KAFKA_RESOLVE_ONLY=1 KAFKA_DATA_DIR=$KAFKA_DATA_DIR/node-1 bash "${BASH_SOURCE[0]}" ||
    die "the Kafka jars could not be resolved"
  pids=()
  for i in 1 2 3; do
    port=$((KAFKA_PORT + 2 * (i - 1)))
    KAFKA_NODES=1 KAFKA_CLUSTER_SIZE=3 KAFKA_NODE_ID=$i KAFKA_QUORUM_VOTERS=$voters KAFKA_PORT=$port \
      KAFKA_CONTROLLER_PORT=$((port + 1)) KAFKA_DATA_DIR=$KAFKA_DATA_DIR/node-$i \
      bash "${BASH_SOURCE[0]}" 2>&1 | sed -u "s/^\[kafka infra-up\]/[kafka infra-up node $i]/" &
    pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "a node of the cluster did not start (logs: $KAFKA_DATA_DIR/node-*/broker.log)"
  deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until [[ $(kafka_metadata_brokers "$KAFKA_PORT" || echo 0) == 3 ]]; do
    ((SECONDS < deadline)) || die "the cluster does not list three live brokers after ${KAFKA_START_TIMEOUT}s"
    sleep 0.5
  done
  log "three-node Kafka cluster ready on 127.0.0.1:$KAFKA_PORT,127.0.0.1:$((KAFKA_PORT + 2)),127.0.0.1:$((KAFKA_PORT + 4)) (replication factor 3, min ISR 2) in $(since "$T0") s"
  log "data: $KAFKA_DATA_DIR/node-{1,2,3}   stop: KAFKA_NODES=3 ${SCRIPT_DIR#"$REPO_ROOT"/}/infra-down.sh"
  exit 0
fi

if kafka_answers "$KAFKA_PORT"; then
  log "a Kafka broker already answers on 127.0.0.1:$KAFKA_PORT -- nothing to do ($(since "$T0") s)"
  exit 0
fi

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Kafka 4 needs Java 17+)"
java_major=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }')
if ! [[ ${java_major:-} =~ ^[0-9]+$ ]] || ((java_major < 17)); then
  die "Kafka 4 needs Java 17+, found: $("$JAVA" -version 2>&1 | head -n 1)"
fi

mkdir -p -- "$KAFKA_DATA_DIR"
DATA_DIR=$(cd -- "$KAFKA_DATA_DIR" && pwd -P)
CONF_DIR=$DATA_DIR/config
STORAGE_DIR=$DATA_DIR/storage
PID_FILE=$DATA_DIR/broker.pid
BROKER_LOG=$DATA_DIR/broker.log
mkdir -p -- "$CONF_DIR" "$STORAGE_DIR"

# Serialise concurrent infra-up / infra-down runs on the same data dir.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DATA_DIR/.lock"
  flock -w $((KAFKA_START_TIMEOUT + 300)) 9 || die "timed out waiting for another infra-up/down on $DATA_DIR"
  if kafka_answers "$KAFKA_PORT"; then
    log "a Kafka broker already answers on 127.0.0.1:$KAFKA_PORT (started concurrently) -- nothing to do"
    exit 0
  fi
fi

is_our_broker() { # pid
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null && ps -p "$1" -o args= 2>/dev/null | grep -q 'kafka\.Kafka'
}

tail_log() {
  if [[ -s $BROKER_LOG ]]; then
    printf '%s\n' "----- last 50 lines of $BROKER_LOG -----" >&2
    tail -n 50 -- "$BROKER_LOG" >&2
    printf '%s\n' "-----" >&2
  fi
}

# ---------------------------------------------------------------- (a) jars
if [[ -z $KAFKA_VERSION ]]; then
  KAFKA_VERSION=$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$SCRIPT_DIR/pom.xml" | head -n 1)
  [[ -n $KAFKA_VERSION ]] || die "no <kafka.version> in $SCRIPT_DIR/pom.xml"
fi
RUNTIME_DIR=$SCRIPT_DIR/.runtime/kafka-$KAFKA_VERSION
LIBS=$RUNTIME_DIR/libs
STAMP=$RUNTIME_DIR/resolved.stamp
want_stamp="$KAFKA_VERSION $(cksum <"$SCRIPT_DIR/pom.xml")"

if [[ -f $STAMP && $(cat -- "$STAMP") == "$want_stamp" && -d $LIBS ]]; then
  log "Kafka $KAFKA_VERSION jars: cached in ${LIBS#"$REPO_ROOT"/}"
else
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to resolve the Kafka jars)"
  t=$(now)
  rm -rf -- "$LIBS" "$STAMP"
  mkdir -p -- "$RUNTIME_DIR"
  mvn_log=$RUNTIME_DIR/mvn.log
  mvn_args=(-q -B -f "$SCRIPT_DIR/pom.xml" package "-Dkafka.version=$KAFKA_VERSION" "-Dkafka.runtime.dir=$LIBS")
  # Offline first: no network round trips when ~/.m2 already has everything.
  if mvn -o "${mvn_args[@]}" >"$mvn_log" 2>&1; then
    how="offline, from ~/.m2"
  else
    log "resolving Kafka $KAFKA_VERSION from Maven Central (first run; ~45 MB) ..."
    rm -rf -- "$LIBS"
    if ! mvn "${mvn_args[@]}" >"$mvn_log" 2>&1; then
      cat -- "$mvn_log" >&2
      die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (log: $mvn_log)"
    fi
    how="downloaded"
  fi
  ls -- "$LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn finished but $LIBS has no kafka_2.13 jar"
  printf '%s\n' "$want_stamp" >"$STAMP"
  log "Kafka $KAFKA_VERSION jars: resolved ($how) in $(since "$t") s -> ${LIBS#"$REPO_ROOT"/}"
fi
CLASSPATH_ARG="$LIBS/*" # the JVM expands the wildcard
[[ ${KAFKA_RESOLVE_ONLY:-0} == 1 ]] && exit 0

# ---------------------------------------------------------------- config
escape_sed() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }
if [[ $KAFKA_CLUSTER_SIZE == 3 ]]; then rf=3 min_isr=2; else rf=1 min_isr=1; fi
sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
  -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
  -e "s|@KAFKA_NODE_ID@|$KAFKA_NODE_ID|g" \
  -e "s|@KAFKA_QUORUM_VOTERS@|$KAFKA_QUORUM_VOTERS|g" \
  -e "s|@KAFKA_RF@|$rf|g" \
  -e "s|@KAFKA_MIN_ISR@|$min_isr|g" \
  -e "s|@KAFKA_LOG_DIR@|$(escape_sed "$STORAGE_DIR")|g" \
  "$SCRIPT_DIR/server.properties.template" >"$CONF_DIR/server.properties"

scram_args=()
if [[ $KAFKA_CLUSTER_SIZE == 1 ]]; then
  [[ $KAFKA_SCRAM_PORT =~ ^[0-9]+$ ]] || die "invalid KAFKA_SCRAM_PORT: $KAFKA_SCRAM_PORT"
  [[ $KAFKA_SCRAM_PORT != "$KAFKA_PORT" && $KAFKA_SCRAM_PORT != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_SCRAM_PORT must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT"
  sed -i -e "s|^listeners=.*|&,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SCRAM_PORT|" \
    -e "s|^advertised.listeners=.*|&,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SCRAM_PORT|" \
    -e "s|^listener.security.protocol.map=.*|&,SASL_PLAINTEXT:SASL_PLAINTEXT|" "$CONF_DIR/server.properties"
  cat >>"$CONF_DIR/server.properties" <<EOF_SCRAM

############################# SASL/SCRAM and ACLs (a node alone) #############################
# Clients of the SASL_PLAINTEXT listener are authorised by ACLs (docs/security.md, "Kafka: topic
# ACLs"); nothing is allowed without one. The PLAINTEXT listener (loopback) and the controller's
# connect as User:ANONYMOUS, a super user: the tests' and the administrator's listener.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=$KAFKA_SUPER_USERS
EOF_SCRAM
fi
if [[ -n $KAFKA_SCRAM_USERS ]]; then
  IFS=',' read -r -a scram_users <<<"$KAFKA_SCRAM_USERS"
  for entry in "${scram_users[@]}"; do
    [[ $entry == *:* ]] || die "KAFKA_SCRAM_USERS entries are user:password"
    scram_args+=(--add-scram "SCRAM-SHA-512=[name=${entry%%:*},password=${entry#*:}]")
  done
fi

cat >"$CONF_DIR/log4j2.properties" <<'EOF'
# Generated by infra-up.sh. Broker logging: stdout, which infra-up.sh sends to broker.log.
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.channel.name = kafka.network.RequestChannel$
logger.channel.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
# The full config dumps (~2,000 lines per start); the effective config is config/server.properties.
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
EOF

cat >"$CONF_DIR/tools-log4j2.properties" <<'EOF'
# Generated by infra-up.sh. Command-line tools: warnings only, on stderr.
status = warn
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
EOF

# Short-lived tool JVMs: small heap, fast start-up.
run_tool() { # main-class args...
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$CONF_DIR/tools-log4j2.properties" -cp "$CLASSPATH_ARG" "$@"
}

# ---------------------------------------------------------------- (c) start, unless ours is already starting
pid=""
[[ -f $PID_FILE ]] && pid=$(cat -- "$PID_FILE" 2>/dev/null || true)
if is_our_broker "$pid"; then
  log "broker pid $pid (from $PID_FILE) is running but not answering yet -- waiting for it"
else
  rm -f -- "$PID_FILE"
  if port_open "$KAFKA_PORT"; then
    die "127.0.0.1:$KAFKA_PORT is in use by something that does not answer like a Kafka broker"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "controller port 127.0.0.1:$KAFKA_CONTROLLER_PORT is in use (set KAFKA_CONTROLLER_PORT)"
  fi
  if [[ $KAFKA_CLUSTER_SIZE == 1 ]] && port_open "$KAFKA_SCRAM_PORT"; then
    die "SCRAM port 127.0.0.1:$KAFKA_SCRAM_PORT is in use (set KAFKA_SCRAM_PORT)"
  fi

  # (b) format the KRaft storage on first start only
  if [[ ! -f $STORAGE_DIR/meta.properties ]]; then
    t=$(now)
    log "formatting KRaft storage in ${STORAGE_DIR#"$REPO_ROOT"/} (cluster id $KAFKA_CLUSTER_ID)"
    if ! run_tool kafka.tools.StorageTool format --config "$CONF_DIR/server.properties" \
      --cluster-id "$KAFKA_CLUSTER_ID" --ignore-formatted ${scram_args[@]+"${scram_args[@]}"} >>"$BROKER_LOG" 2>&1; then
      tail_log
      die "formatting the storage failed"
    fi
    log "formatted in $(since "$t") s"
  fi

  # Keep the log bounded: rotate once it exceeds ~20 MB.
  if [[ -f $BROKER_LOG ]] && (($(wc -c <"$BROKER_LOG") > 20 * 1024 * 1024)); then
    mv -f -- "$BROKER_LOG" "$BROKER_LOG.1"
  fi

  read -r -a heap_opts <<<"$KAFKA_HEAP_OPTS"
  read -r -a extra_opts <<<"$KAFKA_OPTS"
  java_cmd=("$JAVA" "${heap_opts[@]}" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -XX:+HeapDumpOnOutOfMemoryError "-XX:HeapDumpPath=$DATA_DIR" -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$CONF_DIR/log4j2.properties"
    ${extra_opts[@]+"${extra_opts[@]}"} -cp "$CLASSPATH_ARG" kafka.Kafka "$CONF_DIR/server.properties")

  T_START=$(now)
  printf '\n===== %s infra-up: starting Kafka %s on 127.0.0.1:%s =====\n' \
    "$(date '+%Y-%m-%d %H:%M:%S')" "$KAFKA_VERSION" "$KAFKA_PORT" >>"$BROKER_LOG"
  # setsid (where available): own session, so the broker outlives the caller's
  # terminal / process group. The inner shell writes its own pid, then execs java.
  # 9>&-: the broker must not inherit (and hold forever) the lock of this script.
  launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # shellcheck disable=SC2016 # $$ / $1 / $@ are for the inner shell
  ${launcher[@]+"${launcher[@]}"} nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' kafka-launcher \
    "$PID_FILE" "${java_cmd[@]}" </dev/null >>"$BROKER_LOG" 2>&1 9>&- &
  for _ in $(seq 1 50); do [[ -s $PID_FILE ]] && break; sleep 0.1; done
  pid=$(cat -- "$PID_FILE" 2>/dev/null || true)
  [[ -n $pid ]] || { tail_log; die "the broker process did not start"; }
  log "started broker pid $pid (heap: $KAFKA_HEAP_OPTS)"
fi

# ---------------------------------------------------------------- (d) wait until it really answers
deadline=$((SECONDS + KAFKA_START_TIMEOUT))
until broker_ready "$KAFKA_PORT"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f -- "$PID_FILE"
    tail_log
    die "the broker exited during start-up (log: $BROKER_LOG)"
  fi
  if ((SECONDS >= deadline)); then
    tail_log
    log "stopping the broker that did not become ready (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    die "no answer on 127.0.0.1:$KAFKA_PORT after ${KAFKA_START_TIMEOUT}s (raise KAFKA_START_TIMEOUT on slow machines; log: $BROKER_LOG)"
  fi
  sleep 0.5
done
answered=$(since "${T_START:-$T0}")

# Fresh data dir: have the group coordinator create __consumer_offsets now (a
# FindCoordinator via the admin client) rather than during the first test's join.
# In a cluster, node 1 does it for all (every node holds a replica of every partition).
if [[ $KAFKA_NODE_ID == 1 && ! -d $STORAGE_DIR/__consumer_offsets-0 ]]; then
  t=$(now)
  run_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --describe --group infra-up-warmup --timeout 30000 >/dev/null 2>&1 || true
  if [[ -d $STORAGE_DIR/__consumer_offsets-0 ]]; then
    log "group coordinator warmed up (__consumer_offsets created) in $(since "$t") s"
  else
    log "warning: __consumer_offsets not created by the warm-up; the first consumer group will create it"
  fi
fi

# ---------------------------------------------------------------- (e) report
log "Kafka $KAFKA_VERSION ready on 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), pid $pid"
if [[ $KAFKA_CLUSTER_SIZE == 1 ]]; then
  log "SASL/SCRAM-SHA-512 with ACLs on 127.0.0.1:$KAFKA_SCRAM_PORT; 127.0.0.1:$KAFKA_PORT (no SASL, a super user) is the tests' and the administrator's"
fi
log "broker answering (ApiVersions + Metadata) ${answered} s after launch; script total $(since "$T0") s"
log "log: $BROKER_LOG"
log "data: $DATA_DIR   stop: ${SCRIPT_DIR#"$REPO_ROOT"/}/infra-down.sh"
