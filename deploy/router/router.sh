#!/bin/sh
# smp-lab-router (in the image): the compose lab's router. Adds the routes it is given, loads the
# trainees' ruleset and stays up; reload after an edit with `... exec router nft -f /etc/smp-lab/rules.nft`.
#   smp-lab-router [--route CIDR=GATEWAY]... RULES.nft
set -eu
die() { echo "smp-lab-router: $*" >&2; exit 2; }
while [ $# -gt 1 ]; do
  case "$1" in
    --route) ip route replace "${2%%=*}" via "${2#*=}" || die "cannot add the route $2 (cap_add NET_ADMIN?)"; shift 2 ;;
    *) die "unknown argument '$1'; usage: smp-lab-router [--route CIDR=GW]... RULES.nft" ;;
  esac
done
[ $# = 1 ] || die "the ruleset file is missing; usage: smp-lab-router [--route CIDR=GW]... RULES.nft"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || die "IPv4 forwarding is off: give the container sysctl net.ipv4.ip_forward=1"
nft -f "$1" || die "$1 does not load; fix it (nft -c -f $1 checks it)"
echo "smp-lab-router: forwarding with the ruleset $1"
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $! || true; done
