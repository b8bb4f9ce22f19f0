# Skiff's image: the npm package as published (compiled JavaScript, production dependencies only) on
# Node 24 slim, running as the image's non-root `node` user, data on a volume.
#   docker build -t skiff .
#   docker run -d --name skiff -p 6443:6443 skiff
#   docker exec skiff skiff kubeconfig > skiff.kubeconfig && kubectl --kubeconfig skiff.kubeconfig get nodes

# Stage 1: build the package exactly as `npm pack` does (prepack compiles src/ to dist/).
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json README.md ./
RUN npm ci --no-audit --no-fund
COPY bin ./bin
COPY scripts/build.ts scripts/bundle.ts ./scripts/
COPY src ./src
RUN npm pack --pack-destination /pkg && mv /pkg/skiff-*.tgz /pkg/skiff.tgz

# Stage 2: install that tarball, nothing else.
FROM node:24-slim
ENV NODE_ENV=production
COPY --from=build /pkg/skiff.tgz /tmp/skiff.tgz
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/skiff.tgz \
  && rm /tmp/skiff.tgz && npm cache clean --force \
  && mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
VOLUME ["/data"]
EXPOSE 6443
# Bind all interfaces inside the container; the certificate also covers localhost and 127.0.0.1, so
# the kubeconfig (server https://127.0.0.1:6443) works from the host with -p 6443:6443.
ENV SKIFF_ADDRESS=0.0.0.0 SKIFF_DATA_DIR=/data
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "require('https').get({host:'127.0.0.1',port:6443,path:'/readyz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# `serve` first says (on stderr) how to fetch the kubeconfig from outside the container.
ENTRYPOINT ["/bin/sh", "-c", "if [ \"${1:-serve}\" = serve ]; then echo 'skiff: get the kubeconfig with: docker exec <container> skiff kubeconfig > skiff.kubeconfig (server https://127.0.0.1:6443 when run with -p 6443:6443)' >&2; fi; exec node --max-semi-space-size=16 --min-semi-space-size=16 /usr/local/lib/node_modules/skiff/bin/skiff.js \"$@\"", "skiff"]
CMD ["serve"]
