#!/usr/bin/env bash
# Seeds the fuzz corpora from the bundled scenarios. The `routes` and `trace` targets read a few
# leading bytes (destination address, ports, protocol) before the scenario text. The `network`
# target builds its networks from raw bytes: the scenario files serve as long, varied byte strings
# to start from (short inputs give small networks).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/parse fuzz/corpus/resolve fuzz/corpus/routes fuzz/corpus/trace fuzz/corpus/network
for f in scenarios/*/*.ron; do
  b=$(basename "$f")
  cp "$f" "fuzz/corpus/parse/$b"
  cp "$f" "fuzz/corpus/network/$b"
  printf '\x0a\x00\x02\x04' | cat - "$f" > "fuzz/corpus/routes/$b"
  printf '\x0a\x00\x02\x04\x01\xbb\x00' | cat - "$f" > "fuzz/corpus/trace/$b"
done
