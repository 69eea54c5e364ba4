# Sourced by bench/format-cpu-bench.sh and bench/format-steady-bench.sh. RESULTS holds rows
# "JAR FORMAT VALUE"; format_medians LABEL UNIT JAR... prints, per jar, the median of its pcap and
# pcapng rows and the ratio pcapng/pcap of the medians.
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
format_medians() {
  local label=$1 unit=$2 jar p n; shift 2
  for jar in "$@"; do
    p=$(awk -v j="$jar" '$1 == j && $2 == "pcap" {print $3}' "$RESULTS" | median)
    n=$(awk -v j="$jar" '$1 == j && $2 == "pcapng" {print $3}' "$RESULTS" | median)
    echo "$jar: $label: pcap $p $unit, pcapng $n $unit, pcapng/pcap $(echo "scale=3; $n / $p" | bc)"
  done
}
