"""Medians (min-max) over the repeats of a benchmark's raw rows, as a Markdown table.

usage: medians.py ROWS KEY_TITLES COLUMNS [NAMES]
  ROWS        tab-separated rows with a header line; column 0 is the repeat, 1-3 the cell's key
              (e.g. tool, mode, size: sorted by mode, then size, then tool)
  KEY_TITLES  the three key columns' titles, e.g. "tool,mode,size"
  COLUMNS     the measured columns, "title:index:format,..." with format k (thousands), 0, 1, 2 or 3
              decimals; a "-" or empty value is left out of its median
  NAMES       optional display names of key values, "d=gulp -d;gre=gulp -f 'proto gre'"
"""
import collections
import statistics
import sys

rows_file, key_titles, columns = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
names = dict(pair.split("=", 1) for pair in sys.argv[4].split(";")) if len(sys.argv) > 4 and sys.argv[4] else {}
formats = {"k": lambda x: f"{x / 1000:.0f}k", "0": lambda x: f"{x:.0f}", "1": lambda x: f"{x:.1f}", "2": lambda x: f"{x:.2f}", "3": lambda x: f"{x:.3f}"}
specs = [(title, int(index), formats[fmt]) for title, index, fmt in (c.rsplit(":", 2) for c in columns)]

rows = [line.rstrip("\n").split("\t") for line in open(rows_file)][1:]
cells = collections.OrderedDict()
for row in rows:
    cells.setdefault((row[1], row[2], row[3]), []).append(row)


def median_range(values, fmt):
    numbers = [float(v) for v in values if v not in ("-", "")]
    if not numbers:
        return "-"
    return f"{fmt(statistics.median(numbers))} ({fmt(min(numbers))}-{fmt(max(numbers))})"


titles = key_titles + ["n"] + [title for title, _, _ in specs]
print("| " + " | ".join(titles) + " |")
print("|" + "---|" * len(titles))
for (first, mode, size), group in sorted(cells.items(), key=lambda c: (c[0][1], int(c[0][2]), c[0][0])):
    measured = [median_range([r[index] for r in group], fmt) for _, index, fmt in specs]
    print("| " + " | ".join([names.get(first, first), mode, size, str(len(group))] + measured) + " |")
