# smp-lab in a container: the same two commands as the README, on Node.js 20 (Debian bookworm).
# better-sqlite3 is compiled from source (no prebuilt downloads), hence the build tools in the
# build stage; the runtime stage keeps only the standard network clients smp-lab's verbs call.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/smp-lab
COPY package.json package-lock.json tsconfig.json ./
COPY shared ./shared
COPY server ./server
COPY agent ./agent
COPY firewall ./firewall
COPY certs ./certs
COPY cli ./cli
COPY tools ./tools
COPY test ./test
COPY bench ./bench
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      iproute2 nftables iptables openssl curl wakeonlan \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/smp-lab
COPY --from=build /opt/smp-lab/package.json ./package.json
COPY --from=build /opt/smp-lab/node_modules ./node_modules
COPY --from=build /opt/smp-lab/dist ./dist
# The web console's static files are read from the source tree path (dist/ holds compiled code only).
COPY --from=build /opt/smp-lab/server/ns/console-app/public ./server/ns/console-app/public
ENV NODE_ENV=production
RUN ln -s /opt/smp-lab/dist/cli/main.js /usr/local/bin/smp-lab && chmod +x dist/cli/main.js
# Data (store, logs, reports, lab certificates) lives in /data so a volume keeps it.
WORKDIR /data
ENTRYPOINT ["node", "/opt/smp-lab/dist/cli/main.js"]
CMD ["up"]
