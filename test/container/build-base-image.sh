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
chmod 0755 "$root" # mktemp makes it 0700: the image's / would shut out every user but root
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
# The headers, as the official image has them; this machine reaches neither nodejs.org nor GitHub, so
# node-gyp (better-sqlite3's build from source) must use them: npm_config_nodedir below, as our ~/.npmrc does.
mkdir -p "$root/usr/local/include"
cp -a /usr/include/node "$root/usr/local/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
# This machine's extra certificate authorities (our egress proxy re-signs TLS): without them apt and npm
# inside the build fail with SELF_SIGNED_CERT_IN_CHAIN. Node reads them through NODE_EXTRA_CA_CERTS, set
# below as this machine sets it. The official image has neither; the Dockerfile needs neither elsewhere.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
chroot "$root" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
# What the official slim image leaves out as well.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" -c . | "$podman" import \
  --change 'CMD ["node"]' --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' --change 'ENV npm_config_nodedir=/usr/local' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$tag" >/dev/null
echo "built $tag ($(node --version), Debian $(cat "$root/etc/debian_version") packages from $mirror)"
