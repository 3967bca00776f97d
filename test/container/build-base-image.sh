#!/usr/bin/env bash
# Builds a stand-in for the Dockerfile's base image, because no image registry is reachable from our
# machines: Debian bookworm (debootstrap --variant=minbase, from the Debian mirror apt uses) plus THIS
# machine's Node.js (/usr/bin/node and its bundled npm), and the `node` user (uid 1000) the official image
# has. It is tagged as the FROM line names it for this Node major: docker.io/library/node:MAJOR-bookworm-slim
# (the test then builds the Dockerfile with --build-arg NODE_VERSION=MAJOR). It is NOT the official image:
# it proves the Dockerfile, the app and its native modules on Debian bookworm with this Node.
#   test/container/build-base-image.sh            build unless the tag exists
#   test/container/build-base-image.sh --force    rebuild
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
podman="$here/podman.sh"
major="$(node -p 'process.versions.node.split(".")[0]')"
tag="docker.io/library/node:${major}-bookworm-slim"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "${1:-}" != "--force" ] && "$podman" image exists "$tag"; then
  echo "base image $tag exists (--force rebuilds)"
  exit 0
fi
for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y podman runc debootstrap" >&2; exit 1; }
done

root="$(mktemp -d /var/tmp/bookshelf-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm into $root (a minute or two)"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"

# Node.js and npm from this machine, where the official image has them.
install -m 0755 "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
# What the official slim image leaves out as well.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | "$podman" import \
  --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$tag" >/dev/null
echo "built $tag ($(node --version), Debian $(cat /etc/debian_version 2>/dev/null || echo bookworm) packages from $mirror)"
