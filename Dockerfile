# The same steps as the README: `pnpm install`, then the build `pnpm start` would do (server and web).
FROM node:24-slim
RUN npm install -g pnpm@12.4.2
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build
ENV HOST=0.0.0.0
EXPOSE 3000 4000 4010
CMD ["pnpm", "start"]
