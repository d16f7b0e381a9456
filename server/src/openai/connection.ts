import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { OpenAIConnection } from '../services/account.service.ts';

/** The key the built-in emulator's demo data belongs to. It only ever opens the local emulator. */
export const EMULATOR_API_KEY = 'sk-vs-align-emulator-demo';

export interface ResolvedConnection {
  /** The default account's connection; null leaves the stored one as it is. */
  connection: OpenAIConnection | null;
  emulated: boolean;
  close(): Promise<void>;
}

/**
 * `OPENAI_API_KEY` set: the default account talks to OpenAI (or `OPENAI_BASE_URL`). Unset: the
 * built-in emulator runs in this process, seeded with demo data, and the default account uses it.
 */
export async function resolveOpenAIConnection(config: Config, logger: Logger): Promise<ResolvedConnection> {
  if (config.openaiApiKey) {
    return {
      connection: {
        apiKey: config.openaiApiKey,
        baseURL: config.openaiBaseUrl,
        project: config.openaiProject,
      },
      emulated: false,
      close: async () => {},
    };
  }
  const { startEmulator, seedDemoData } = await import('../emulator/index.ts');
  const started = await startEmulator({ port: config.emulatorPort, host: '127.0.0.1' }).catch((error) => {
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? new Error(`Port ${config.emulatorPort} is already in use: set EMULATOR_PORT to a free port`)
      : error;
  });
  await seedDemoData(started.emulator, EMULATOR_API_KEY);
  logger.info({ url: started.url }, 'No OPENAI_API_KEY: using the built-in OpenAI emulator with demo data');
  return {
    connection: { apiKey: EMULATOR_API_KEY, baseURL: started.url, project: null },
    emulated: true,
    close: started.close,
  };
}
