# Skiff runtime image: Node 24 slim, production dependencies only, non-root, data on a volume.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY openapi ./openapi
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 6443
# Bind all interfaces inside the container; the certificate also covers localhost and 127.0.0.1.
ENV SKIFF_ADDRESS=0.0.0.0 SKIFF_DATA_DIR=/data
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "require('https').get({host:'127.0.0.1',port:6443,path:'/readyz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "--max-semi-space-size=16", "bin/skiff.js"]
CMD ["serve"]
