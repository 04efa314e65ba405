# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript in a build stage, run the compiled daemon as a non-root user.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/copy-assets.mjs ./scripts/copy-assets.mjs
COPY templates ./templates
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    DATA_DIR=/var/lib/suspensiond \
    RULES_DIR=/app/rules \
    MAPPINGS_DIR=/app/mappings
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY rules ./rules
COPY mappings ./mappings
COPY templates ./templates
RUN mkdir -p /var/lib/suspensiond && chown -R node:node /var/lib/suspensiond
USER node
EXPOSE 8080
VOLUME ["/var/lib/suspensiond"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["run"]
