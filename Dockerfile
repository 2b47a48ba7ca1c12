# smp-lab in a container: one image for every role (`smp-lab <verb>`; default `smp-lab up`), on Node.js 20.
# The base is ARG NODE_IMAGE: the registry's node:20-bookworm-slim, or a local image made by
# deploy/base-image.sh where no registry can be reached. better-sqlite3 compiles from source against the
# base's /usr/local/include/node (no header or prebuilt downloads; it is the only install script run,
# as package.json's allowScripts says); build tools stay in the build stage.
# Behind a TLS-inspecting proxy pass its CA as a build secret, never a file of the image:
#   podman build --format docker --secret id=npmca,src=$NODE_EXTRA_CA_CERTS -t smp-lab .   (docker build: the same,
#   without --format; podman keeps the HEALTHCHECK only in the docker format)
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local npm_config_build_from_source=true npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /opt/smp-lab
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmca,required=false \
    if [ -s /run/secrets/npmca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npmca; fi; \
    npm ci --ignore-scripts && npm rebuild better-sqlite3 && npm cache clean --force
COPY tsconfig.json ./
COPY shared ./shared
COPY server ./server
COPY agent ./agent
COPY firewall ./firewall
COPY certs ./certs
COPY cli ./cli
COPY tools ./tools
COPY deploy/manifests ./deploy/manifests
RUN npx tsc -p tsconfig.json && rm -f dist/.tsbuildinfo && find dist -name '*.map' -delete \
    && npm prune --omit=dev --ignore-scripts \
    && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/better-sqlite3/build/Release/obj* \
       node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/deps

# The runtime file system: the base plus what the lab's containers call, minus what only builds need
# (headers, npm, yarn, docs), flattened into one layer so that removed files take no room.
FROM ${NODE_IMAGE} AS runtime-root
# iproute2 and nftables: the compose lab's routes and router; passwd: the non-root user.
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 nftables passwd \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old \
       /usr/local/include /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx \
       /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /usr/local/share/doc /usr/local/share/man \
       /usr/share/doc/*/changelog* /usr/share/man/* /usr/share/info/* /usr/share/locale/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin smp \
    && mkdir -p /data && chown smp:smp /data \
    && node --version

FROM scratch
COPY --from=runtime-root / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /opt/smp-lab
COPY --from=build /opt/smp-lab/package.json ./package.json
COPY --from=build /opt/smp-lab/node_modules ./node_modules
COPY --from=build /opt/smp-lab/dist ./dist
# The web console's static files are read from the source tree path (dist/ holds compiled code only).
COPY --from=build /opt/smp-lab/server/ns/console-app/public ./server/ns/console-app/public
COPY deploy/lab-net.sh /usr/local/bin/smp-lab-net
COPY deploy/router/router.sh /usr/local/bin/smp-lab-router
RUN chmod 755 dist/cli/main.js /usr/local/bin/smp-lab-net /usr/local/bin/smp-lab-router \
    && ln -s /opt/smp-lab/dist/cli/main.js /usr/local/bin/smp-lab
# In a container the NS and task server listen on the container's addresses, not only loopback. The
# catalog's low ports (80, 443) bind as the non-root user where net.ipv4.ip_unprivileged_port_start
# allows it (Docker's default; compose.yaml sets it); elsewhere `smp-lab up` picks a port offset.
ENV NODE_ENV=production SMP_LAB_BIND=0.0.0.0
USER smp
# Data (store, logs, reports, lab certificates) lives in /data so a volume keeps it.
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/opt/smp-lab/dist/tools/healthcheck.js"]
ENTRYPOINT ["node", "/opt/smp-lab/dist/cli/main.js"]
CMD ["up"]
