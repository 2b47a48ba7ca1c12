#!/bin/sh
# smp-lab-net (in the image): the compose lab's network set-up of one container, then its command as the
# unprivileged user smp with no capabilities left. Runs as root with CAP_NET_ADMIN; never stays root.
#   smp-lab-net [--route CIDR=GATEWAY]... [--local CIDR]... -- COMMAND [ARG]...
#   --route 10.62.0.0/16=172.30.62.254   reach CIDR through GATEWAY (the lab router)
#   --local 10.62.0.0/16                 answer for every address of CIDR here (the agents' subnet)
set -eu
die() { echo "smp-lab-net: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --route) [ $# -ge 2 ] || die "--route needs CIDR=GATEWAY"
      ip route replace "${2%%=*}" via "${2#*=}" || die "cannot add the route $2 (the container needs cap_add NET_ADMIN)"
      shift 2 ;;
    --local) [ $# -ge 2 ] || die "--local needs a CIDR"
      ip route replace local "$2" dev lo || die "cannot make $2 local (the container needs cap_add NET_ADMIN)"
      shift 2 ;;
    --) shift; break ;;
    *) die "unknown argument '$1'; usage: smp-lab-net [--route CIDR=GW]... [--local CIDR]... -- COMMAND" ;;
  esac
done
[ $# -gt 0 ] || die "no command after --"
[ "$(id -u)" = 0 ] || exec "$@"
exec setpriv --reuid=smp --regid=smp --init-groups --inh-caps=-all --bounding-set=-all -- "$@"
