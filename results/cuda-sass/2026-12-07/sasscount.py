# Counts, in one kernel's sm_90 machine code (cuobjdump -sass), all of its
# instructions and those of its main loop: the backward branch whose body
# holds the most tensor-core (HMMA) or FMA (FFMA) instructions, with the
# counts of those and of register moves. Usage: python3 sasscount.py CUBIN KERNEL...
import re
import subprocess
import sys


def count(cubin, kernel):
    out = subprocess.run(["cuobjdump", "-sass", "-fun", kernel, cubin], capture_output=True, text=True, check=True).stdout
    lines = [(int(m.group(1), 16), m.group(2)) for m in (re.match(r"\s+/\*([0-9a-f]+)\*/\s+(.*?);", l) for l in out.splitlines()) if m]
    at = {a: i for i, (a, _) in enumerate(lines)}
    row = [kernel, len(lines), "-", "-", "-"]
    for i, (a, ins) in enumerate(lines):
        m = re.search(r"BRA (0x[0-9a-f]+)", ins)
        if not m or int(m.group(1), 16) >= a or int(m.group(1), 16) not in at:
            continue
        body = [x for _, x in lines[at[int(m.group(1), 16)] : i + 1]]
        math = sum("HMMA" in x or "FFMA" in x for x in body)
        if math and (row[3] == "-" or math > row[3]):
            row[2:] = [len(body), math, sum("MOV" in x for x in body)]
    return row


print("kernel total loop math-instructions moves")
for k in sys.argv[2:]:
    print(*count(sys.argv[1], k))
