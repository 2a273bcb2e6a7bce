# The HTTP MCP server with Claude Code, for a team: OAuth 2.1 in front, state in the /data volume.
#
# The build context is made by docker/prepare-context.mjs (or by hand):
#   app/  the server with its production dependencies: pnpm --filter @claude-code-mcp/sse-server deploy --legacy --prod app
#   npm/  optional: Claude Code's npm tarballs (npm pack @anthropic-ai/claude-code@<v> @anthropic-ai/claude-code-linux-x64@<v>),
#         for a build without a registry; without them Claude Code is installed from the npm registry.
#
#   buildah build --pull=never -f docker/sse-server.Dockerfile -t claude-code-mcp-http <context>
#   docker build -f docker/sse-server.Dockerfile -t claude-code-mcp-http <context>
ARG NODE_IMAGE=docker.io/library/node:24-bookworm-slim

# Claude Code from npm: the native binary comes with its platform package (postinstall puts it in place).
FROM ${NODE_IMAGE} AS claude
ARG CLAUDE_CODE_VERSION=2.1.332
COPY npm/ /tmp/npm/
RUN set -eu; \
    allow='--allow-scripts=@anthropic-ai/claude-code'; npm install --help 2>&1 | grep -q allow-scripts || allow=''; \
    if ls /tmp/npm/*.tgz >/dev/null 2>&1; then npm install --global --offline --no-audit --no-fund $allow /tmp/npm/*.tgz; \
    else npm install --global --no-audit --no-fund $allow "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"; fi; \
    claude --version

# The server, as pnpm deploy laid it out; checked to start far enough to read its configuration.
FROM ${NODE_IMAGE} AS app
COPY app/ /app/
RUN test -f /app/dist/cli.js && node -e "import('/app/dist/config.js').then(() => process.exit(0), (error) => { console.error(error); process.exit(1); })"

FROM ${NODE_IMAGE}
# git for checkpoints (shadow repositories), tini as PID 1 (signals reach node; zombies reaped,
# also where it is not PID 1: -s).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git tini \
    && rm -rf /var/lib/apt/lists/*
# A user of its own: Claude Code (and whatever its Bash tool runs) never runs as root.
RUN echo 'claude:x:10001:10001:Claude Code MCP:/home/claude:/bin/sh' >> /etc/passwd \
    && echo 'claude:x:10001:' >> /etc/group \
    && mkdir -p /home/claude /data /workspace \
    && chown 10001:10001 /home/claude /data /workspace
COPY --from=claude /usr/local/lib/node_modules/@anthropic-ai /usr/local/lib/node_modules/@anthropic-ai
RUN ln -s ../lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe /usr/local/bin/claude
COPY --from=app /app /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    DEFAULT_WORKING_DIRECTORY=/workspace \
    CLAUDE_CODE_PATH=/usr/local/bin/claude \
    HOME=/home/claude \
    CLAUDE_CONFIG_DIR=/data/claude
# The state, and Claude Code's own (its transcripts, which claude_resume needs), outlive the container.
VOLUME ["/data"]
WORKDIR /workspace
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "-s", "--", "node", "/app/dist/cli.js"]
