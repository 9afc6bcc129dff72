#!/usr/bin/env bash
# `make run`: the console on a real local swarm (the lab), or the recorded demo
# cluster when a lab cannot run here, saying why.
set -uo pipefail
swarmtui="${VENV:-.venv}/bin/swarmtui"

reason=""
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" -ne 0 ]; then
  reason="the lab needs root on Linux"
elif ! "$swarmtui" lab status >/dev/null 2>&1; then
  echo "starting the lab: a 4-node swarm with the demo stack (swarmtui lab up --stack demo)…"
  "$swarmtui" lab up --stack demo || reason="the lab failed to start (see above)"
fi

if [ -z "$reason" ]; then
  eval "$("$swarmtui" lab env)"
  echo "lab is up; stop it with: $swarmtui lab down"
  exec "$swarmtui"
fi
echo "swarmtui: $reason — showing the recorded demo cluster instead (--demo)" >&2
sleep 2
exec "$swarmtui" --demo
