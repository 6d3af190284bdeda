#!/usr/bin/env bash
# Builds the test image ipcompose-test/busybox:latest without a registry:
# Debian's static busybox in an empty root, imported with `docker import`.
set -euo pipefail

image=${IPCOMPOSE_TEST_IMAGE:-ipcompose-test/busybox:latest}
if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www"
cp /bin/busybox "$root/bin/busybox"
for applet in sh ls cat echo sleep wget nc ip ifconfig route httpd timeout hostname env ping true false grep sed; do
  ln -s busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
echo 'ok' > "$root/www/index.html"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/bin' \
  --change 'CMD ["sleep", "86400"]' \
  - "$image" >/dev/null
