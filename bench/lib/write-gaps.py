#!/usr/bin/env python3
# Per thread of an `strace -f -tt -T` log: its write calls (pwrite64, writev, pwritev), the time spent in them,
# and the gaps between one write's return and the same thread's next write (the disk gets nothing from it then).
#   python3 bench/lib/write-gaps.py TRACE
import re,sys
def ts(s):
    h,m,x=s.split(':'); return int(h)*3600+int(m)*60+float(x)
calls={}  # tid -> list of (start,dur,name)
pend={}
for line in open(sys.argv[1]):
    m=re.match(r'(\d+)\s+([\d:.]+) (.*)',line)
    if not m: continue
    tid,t,rest=m.groups(); t=ts(t)
    if rest.endswith('<unfinished ...>'):
        pend[tid]=(t,rest); continue
    if rest.startswith('<...'):
        if tid not in pend: continue
        t0,r0=pend.pop(tid); t=t0; rest=r0+rest
    mm=re.match(r'(\w+)\(',rest); d=re.search(r'<([\d.]+)>\s*$',rest)
    if not mm or not d: continue
    if mm.group(1) in ('pwrite64','writev','pwritev'):
        calls.setdefault(tid,[]).append((t,float(d.group(1))))
for tid,l in calls.items():
    if len(l)<20: continue
    l.sort(); busy=sum(d for _,d in l); span=l[-1][0]+l[-1][1]-l[0][0]
    gaps=[l[i+1][0]-(l[i][0]+l[i][1]) for i in range(len(l)-1)]
    gaps.sort()
    print('tid %s writes %d span %.2fs in-write %.2fs (%.0f%%) gaps: median %.2f ms p90 %.2f ms max %.0f ms sum %.2fs'%(tid,len(l),span,busy,100*busy/span,1e3*gaps[len(gaps)//2],1e3*gaps[int(len(gaps)*.9)],1e3*gaps[-1],sum(gaps)))
