"""A against B in the same run: per repeat, each cell's value over the baseline cell's of the same
repeat, then the median (min-max) of those ratios, as a Markdown table. Ratios of runs taken minutes
apart under the same load say more than absolute figures on a shared machine.

usage: ratios.py ROWS GROUP VARY BASELINE COLUMNS
  ROWS      tab-separated rows with a header line; column 0 is the repeat
  GROUP     indexes of the columns that must match (e.g. "3" for the size, "2,3" for mode and size)
  VARY      index of the column that is compared (e.g. the sink, the number of pairs)
  BASELINE  the value of VARY the others are divided by (e.g. "files", "1")
  COLUMNS   "title:index,..." the measured columns
"""
import collections
import statistics
import sys

rows_file, group, vary, baseline, columns = sys.argv[1:6]
group = [int(i) for i in group.split(",")]
vary = int(vary)
specs = [(title, int(index)) for title, index in (c.rsplit(":", 1) for c in columns.split(","))]

header, *rows = [line.rstrip("\n").split("\t") for line in open(rows_file)]
cells = collections.defaultdict(dict)  # (group key, vary value) -> repeat -> row
for row in rows:
    cells[(tuple(row[i] for i in group), row[vary])][row[0]] = row


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


titles = [header[i] for i in group] + [header[vary] + " / " + baseline, "repeats"] + [t for t, _ in specs]
print("| " + " | ".join(titles) + " |")
print("|" + "---|" * len(titles))
for (key, value), by_repeat in sorted(cells.items()):
    if value == baseline or (key, baseline) not in cells:
        continue
    base = cells[(key, baseline)]
    repeats = sorted(set(by_repeat) & set(base))
    out = []
    for _, index in specs:
        ratios = []
        for r in repeats:
            a, b = number(by_repeat[r][index]), number(base[r][index])
            if a is not None and b:
                ratios.append(a / b)
        out.append(f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})" if ratios else "-")
    print("| " + " | ".join(list(key) + [value, str(len(repeats))] + out) + " |")
