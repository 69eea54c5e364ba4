# Sourced by the benchmark scripts: wait for a quiet machine before each trial (capture-testbed.md
# section 6). quiet_gate waits up to GATE_WAIT seconds until the rest of the machine is below
# GATE_PCT % busy, and prints the last busy % so the trial can log how disturbed it was.
GATE_PCT="${GATE_PCT:-20}"
GATE_WAIT="${GATE_WAIT:-15}"

cpu_busy_pct() { # share of all CPUs busy over 1 s, from /proc/stat
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

quiet_gate() {
  local start=$SECONDS busy
  while :; do
    busy="$(cpu_busy_pct)"
    if [ "$busy" -lt "$GATE_PCT" ] || [ $(( SECONDS - start )) -ge "$GATE_WAIT" ]; then
      echo "$busy"; return
    fi
  done
}
