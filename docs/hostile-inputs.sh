#!/bin/bash
# Runs the alexnet command on the hostile inputs of hostile-inputs.md and
# prints a line per case: status | seconds | max RSS | first line of stderr.
#
#   docs/hostile-inputs.sh [alexnet binary]    (default: built from this checkout)
#
# Needs python3 (to write the files), GNU time, timeout, truncate, mkfifo.
# Run an older binary under `ulimit -v` and with T=15: its runaway cases
# would otherwise take the machine's memory.
set -u
cd "$(dirname "$0")/.."
A=${1:-}
if [ -z "$A" ]; then
	A=$(mktemp -d)/alexnet
	go build -o "$A" ./cmd/alexnet || exit 1
fi
H=$(mktemp -d)
trap 'rm -rf "$H"' EXIT

"$A" train -epochs 0 -size 65 -save "$H/ck.safetensors" >/dev/null || exit 1
python3 - "$H" <<'PY'
import gzip, json, struct, sys, zlib
h = sys.argv[1]
def header(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), bytearray(b[8 + n:])
def write(path, head, body):
    t = json.dumps(head, separators=(",", ":")).encode()
    t += b" " * (-len(t) % 8)
    open(path, "wb").write(struct.pack("<Q", len(t)) + t + bytes(body))
write(h + "/hidden.safetensors", {"__metadata__": {"epoch": "1", "step": "1", "channels": "1", "size": "224", "classes": "10", "hidden": "1000000000"}}, b"")
head, body = header(h + "/ck.safetensors")
for name, key, value in [("ck-hidden", "hidden", "1000000000"), ("ck-size62", "size", str(2**62))]:
    meta = dict(head["__metadata__"], **{key: value})
    write("%s/%s.safetensors" % (h, name), dict(head, __metadata__=meta), body)
nan = bytearray(body)
off = head["net.20.bias"]["data_offsets"][0] + 3 * 4
nan[off:off + 4] = struct.pack("<f", float("nan"))
write(h + "/nan.safetensors", head, nan)
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = lambda w, h_, depth, color, raw: b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h_, depth, color, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(h + "/huge.png", "wb").write(png(100000, 100000, 16, 6, b"\0" * 10))
open(h + "/shirt.png", "wb").write(png(28, 28, 8, 0, b"".join(b"\0" + bytes(range(28)) for _ in range(28))))
with gzip.open(h + "/bomb-idx3-ubyte.gz", "wb", compresslevel=9) as f:
    f.write(struct.pack(">IIII", 0x803, 10000000, 28, 28))
    for _ in range(4200):
        f.write(b"\0" * (1 << 20))
raw = struct.pack(">IIII", 0x803, 1, 28, 28) + bytes(784)
open(h + "/trailing-idx3-ubyte.gz", "wb").write(gzip.compress(raw) + b"garbage!")
PY
truncate -s 30G "$H/sparse.safetensors"
mkfifo "$H/fifo"
mkdir "$H/bombdata" "$H/fifodata"
cp data/fashion-mnist/*.gz "$H/bombdata/"
cp data/fashion-mnist/*.gz "$H/fifodata/"
cp "$H/bomb-idx3-ubyte.gz" "$H/bombdata/t10k-images-idx3-ubyte.gz"
rm "$H/fifodata/t10k-labels-idx1-ubyte.gz"
mkfifo "$H/fifodata/t10k-labels-idx1-ubyte.gz"

run() {
	local start end rc
	start=$(date +%s.%N)
	/usr/bin/time -f %M -o "$H/rss" timeout -s KILL "${T:-60}" "$@" >"$H/out" 2>"$H/err"
	rc=$?
	end=$(date +%s.%N)
	printf '%s | %.2f s | %d MB | %s\n' "$rc" "$(echo "$end - $start" | bc)" "$(($(tail -1 "$H/rss") / 1024))" \
		"$(grep -v '^usage\|^$' "$H/err" | head -1 | cut -c1-200)"
}
for args in \
	"eval -load $H/hidden.safetensors" \
	"predict -load $H/hidden.safetensors $H/shirt.png" \
	"train -load $H/hidden.safetensors -save ''" \
	"eval -load $H/ck-hidden.safetensors" \
	"eval -load $H/ck-size62.safetensors" \
	"summary -size 4611686018427387904" \
	"predict -load $H/ck.safetensors $H/huge.png" \
	"predict -load $H/ck.safetensors $H/bomb-idx3-ubyte.gz" \
	"eval -load $H/ck.safetensors -data $H/bombdata" \
	"predict -load $H/ck.safetensors $H/trailing-idx3-ubyte.gz" \
	"train -save /sys/ck.safetensors -epochs 1" \
	"train -save '' -plot /sys/curves.svg -epochs 1" \
	"train -save $H/ck.safetensors -epochs 1" \
	"predict -json -load $H/nan.safetensors $H/shirt.png" \
	"eval -load $H/nan.safetensors" \
	"train -load $H/ck.safetensors -save $H/ck.safetensors -epochs 9223372036854775807" \
	"eval -load /dev/zero" \
	"eval -load $H/sparse.safetensors" \
	"eval -load $H/fifo" \
	"eval -load $H/ck.safetensors -data $H/fifodata" \
	"train -batch 60000 -save '' -epochs 1"; do
	printf 'alexnet %s | ' "${args//$H\//}"
	eval run "$A" "$args"
done
