# spool in a small image: the same single executable as `bun run build`, data on a volume.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx bun run build

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data spool && mkdir /data && chown spool /data
COPY --from=build /src/dist/spool /usr/local/bin/spool
USER spool
WORKDIR /data
VOLUME /data
# Listening beyond loopback needs a token: pass SPOOL_ADMIN_TOKEN, or create one with
# `docker run --rm -v spool-data:/data IMAGE token create --role admin`.
ENV SPOOL_DATA=/data SPOOL_HOST=0.0.0.0 SPOOL_PORT=7070
EXPOSE 7070
STOPSIGNAL SIGTERM
ENTRYPOINT ["spool"]
CMD ["serve"]
