#!/usr/bin/env bash
# A throwaway local S3 server for development and CI: a one-node Ceph cluster (a monitor, an in-memory OSD and the
# RADOS gateway) from Debian's packages, on 127.0.0.1. It answers S3 as AWS does, conditional writes included.
#
#   eval "$(npm run -s dev:s3)"     starts it (or finds it running) and prints its AWS_* variables as export lines
#   npm run -s dev:s3 -- env        prints them again
#   npm run -s dev:s3 -- stop       stops it and removes its folder
#
# Needs: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw (and curl, to make the bucket).
# STRATA_S3_DIR (default /tmp/strata-s3) holds its config, data, logs and pids; STRATA_S3_PORT (default 7480) is
# the S3 port, and another free one is taken when it is in use. Everything for people goes to stderr: stdout is
# only the export lines, so that a shell can eval them.
set -euo pipefail

dir=${STRATA_S3_DIR:-/tmp/strata-s3}
key=strataKEY
secret=strataSECRET
region=us-east-1
bucket=strata

say() { echo "dev:s3: $*" >&2; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

pids() {
  local f
  for f in "$dir"/run/client.rgw.pid "$dir"/run/osd.0.pid "$dir"/run/mon.a.pid; do
    [ -f "$f" ] && cat "$f"
  done
  return 0
}

running() {
  [ -f "$dir/s3.env" ] || return 1
  local pid
  for pid in $(pids); do kill -0 "$pid" 2>/dev/null || return 1; done
  [ -n "$(pids)" ] && port_in_use "$(cat "$dir/port")"
}

stop() {
  local all=() pid alive
  for pid in $(pids); do all+=("$pid"); done
  if [ ${#all[@]} -gt 0 ]; then
    kill "${all[@]}" 2>/dev/null || true
    for _ in $(seq 1 40); do
      alive=0
      for pid in "${all[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break
      sleep 0.25
    done
    for pid in "${all[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  fi
  rm -rf "$dir"
}

start() {
  for tool in ceph-mon ceph-osd radosgw ceph-authtool monmaptool radosgw-admin ceph; do
    command -v "$tool" >/dev/null || {
      say "$tool is missing: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw"
      exit 1
    }
  done
  stop
  mkdir -p "$dir"/{mon,osd0,rgw,run,log}
  local port mon2 mon1 fsid
  port=$(free_port "${STRATA_S3_PORT:-7480}")
  mon2=$(free_port 3300)
  mon1=$(free_port $((mon2 == 6789 ? 6790 : 6789)))
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]
mon initial members = a
public network = 127.0.0.0/8
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
keyring = $dir/\$name.keyring
[mon.a]
mon data = $dir/mon
[osd.0]
osd data = $dir/osd0
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
CONF
  say "starting Ceph RGW in $dir (about 20 s)"
  (
    cd "$dir"
    ceph-authtool --create-keyring mon.a.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool --create-keyring client.admin.keyring --gen-key -n client.admin \
      --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
    ceph-authtool mon.a.keyring --import-keyring client.admin.keyring >/dev/null
    monmaptool --create --addv a "[v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]" --fsid "$fsid" monmap >/dev/null
    ceph-mon -c ceph.conf --mkfs -i a --monmap monmap --keyring mon.a.keyring
    ceph-mon -c ceph.conf -i a
    c="timeout 30 ceph -c ceph.conf"
    $c osd create >/dev/null
    $c auth get-or-create osd.0 mon 'allow profile osd' osd 'allow *' mgr 'allow profile osd' -o osd.0.keyring
    ceph-osd -c ceph.conf -i 0 --mkfs 2>/dev/null
    ceph-osd -c ceph.conf -i 0 2>/dev/null
    $c osd crush add osd.0 1.0 host=localhost root=default >/dev/null 2>&1
    $c auth get-or-create client.rgw mon 'allow rw' osd 'allow rwx' mgr 'allow rw' -o client.rgw.keyring
    radosgw -c ceph.conf -n client.rgw
  ) >"$dir/log/start.log" 2>&1 || {
    say "Ceph did not start; its log:"
    tail -n 20 "$dir/log/start.log" >&2
    stop
    exit 1
  }
  for _ in $(seq 1 90); do port_in_use "$port" && break; sleep 1; done
  if ! port_in_use "$port" ||
    ! timeout 60 radosgw-admin -c "$dir/ceph.conf" user create --uid=strata --display-name=strata \
      --access-key="$key" --secret-key="$secret" >>"$dir/log/start.log" 2>&1; then
    say "the RADOS gateway did not come up on 127.0.0.1:$port; the end of its log:"
    tail -n 20 "$dir/log/client.rgw.log" >&2 || true
    stop
    exit 1
  fi
  echo "$port" >"$dir/port"
  cat >"$dir/s3.env" <<ENV
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export AWS_REGION=$region
export AWS_ACCESS_KEY_ID=$key
export AWS_SECRET_ACCESS_KEY=$secret
ENV
  if command -v curl >/dev/null; then
    # curl signs with SigV4 itself; RGW wants the payload hash header, which curl 7.x leaves out.
    curl -sS -o /dev/null --fail --aws-sigv4 "aws:amz:$region:s3" --user "$key:$secret" \
      -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT "http://127.0.0.1:$port/$bucket" &&
      say "made the bucket: write to s3://$bucket/<prefix>"
  else
    say "curl is missing, so no bucket was made"
  fi
  say "up on http://127.0.0.1:$port (pids $(pids | tr '\n' ' ')); stop it with: npm run -s dev:s3 -- stop"
}

case "${1:-start}" in
  start)
    if running; then say "already running in $dir"; else start; fi
    cat "$dir/s3.env"
    ;;
  env)
    running || { say "not running: start it with npm run -s dev:s3"; exit 1; }
    cat "$dir/s3.env"
    ;;
  stop)
    stop
    say "stopped"
    ;;
  *)
    say "usage: dev-s3.sh [start|env|stop]"
    exit 2
    ;;
esac
