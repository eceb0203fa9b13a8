#!/bin/sh
# The hub's RSS and disk with 10,000 sites and a simulated week pushed as
# signed batches (see bench/hub_memory.py for the parameters).
#   INFRASHARE_BUILD=build-rel bench/hub_memory.sh [SITES] [STEP_S] [DAYS]
exec /usr/bin/python3 "$(dirname "$0")/hub_memory.py" "$@"
