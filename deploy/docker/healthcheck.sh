#!/bin/bash
# wharf-healthcheck PORT [PATH]: exits 0 when http://127.0.0.1:PORT PATH (default /healthz)
# answers 200, 1 otherwise. Plain bash over /dev/tcp, so images need no curl or wget. The read
# waits at most 3 s; Docker's HEALTHCHECK --timeout bounds the whole run anyway.
set -u
port=${1:?usage: wharf-healthcheck PORT [PATH]}
path=${2:-/healthz}
exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || { echo "127.0.0.1:$port refused"; exit 1; }
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
if ! IFS=' ' read -r -t 3 _ status _ <&3; then
  echo "no answer from 127.0.0.1:$port$path within 3 s"
  exit 1
fi
if [ "$status" != 200 ]; then
  echo "127.0.0.1:$port$path answered $status"
  exit 1
fi
