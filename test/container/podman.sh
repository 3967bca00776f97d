#!/usr/bin/env bash
# podman as it runs on our machines (docs/testing.md): as root, vfs storage, runc with cgroupfs (crun
# refuses hybrid cgroups), no default ulimits. Every argument is passed on: test/container/podman.sh build ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="$here/containers.conf"
exec podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs "$@"
