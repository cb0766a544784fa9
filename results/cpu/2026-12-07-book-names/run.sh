#!/bin/sh
# The book's own PyTorch models and d2l's checkpoints, both ways; run from
# the repository root with PyTorch at /usr/bin/python3.
set -e
go build -o /tmp/d2l ./cmd/d2l
py="/usr/bin/python3 cmd/d2l/testdata/torch_d2l.py"
out=/tmp/book-names
mkdir -p $out

echo "== logits of the book's trees against the flat modules, same weights renamed by d2l"
for m in lenet lenet-bn nin resnet18; do
	case $m in nin) sz=96 ;; resnet18) sz=64 ;; *) sz=28 ;; esac
	$py --model $m --train --epochs 1 --limit 256 --batch 64 --size $sz --test-limit 64 --save $out/flat.safetensors >/dev/null
	for names in d2l d2l-0.17; do
		/tmp/d2l -model $m -load $out/flat.safetensors -eval -size $sz -test-limit 64 -names $names -save $out/book.safetensors >/dev/null
		echo "$m, -names $names: $($py --model $m --names $names --load $out/book.safetensors --same-as $out/flat.safetensors --size $sz --test-limit 256 | tail -1)"
	done
done

echo "== the book's ResNet-18 (current release) trained in PyTorch, evaluated by d2l"
$py --model resnet18 --names d2l --train --epochs 1 --limit 2560 --test-limit 1000 --save $out/torch.safetensors
/tmp/d2l -model resnet18 -load $out/torch.safetensors -eval -test-limit 1000 | grep -E 'weights|test accuracy'

echo "== d2l's ResNet-18 saved under release 0.17's names, evaluated by the book's model in PyTorch"
/tmp/d2l -model resnet18 -epochs 1 -limit 2560 -test-limit 1000 -names d2l-0.17 -save $out/ours.safetensors | grep -E '^epoch|test accuracy'
$py --model resnet18 --names d2l-0.17 --load $out/ours.safetensors --test-limit 1000
