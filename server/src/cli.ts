/**
 * `pnpm cli <command> [options]`: server administration from a terminal. Each command is a module
 * under `cli/` exporting `summary`, `usage` and `run(args)`; add a command by adding it to the map.
 */
export interface CliCommand {
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<CliCommand>> = {
  accounts: () => import('./cli/accounts.ts'),
  tokens: () => import('./cli/tokens.ts'),
  migrate: () => import('./cli/migrate.ts'),
  sync: () => import('./cli/sync.ts'),
  secrets: () => import('./cli/secrets.ts'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const load = name ? commands[name] : undefined;
  if (!load) {
    const lines = await Promise.all(
      Object.entries(commands).map(
        async ([key, loader]) => `  ${key.padEnd(10)} ${(await loader()).summary}`,
      ),
    );
    process.stderr.write(
      `${name ? `Unknown command "${name}".\n\n` : ''}Usage: pnpm cli <command>\n\n${lines.join('\n')}\n`,
    );
    return name ? 2 : 0;
  }
  return (await load()).run(args);
}

// Exit explicitly with the command's code: an open pool or timer must not keep the process alive.
// (Writes to pipes and files are synchronous on Linux, so nothing printed is lost.)
process.exit(await main(process.argv.slice(2)));
