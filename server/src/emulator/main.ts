/**
 * `pnpm emulator`: the emulator alone on http://127.0.0.1:4010/v1 (EMULATOR_PORT, EMULATOR_HOST).
 * EMULATOR_DEMO_API_KEY seeds the demo data for that key (docker-compose uses it).
 */
import { seedDemoData } from './demo-seed.ts';
import { startEmulator } from './http.ts';

const rawPort = process.env.EMULATOR_PORT ?? '4010';
const port = Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`EMULATOR_PORT must be a port number, got '${rawPort}'.`);
  process.exit(1);
}

const running = await startEmulator({ port, host: process.env.EMULATOR_HOST ?? '127.0.0.1' });
const demoKey = process.env.EMULATOR_DEMO_API_KEY;
if (demoKey) seedDemoData(running.emulator, demoKey);
console.log(
  `OpenAI emulator listening on ${running.url} (control API: ${running.url.replace(/\/v1$/, '/__emulator/')}; ` +
    `fault seed ${running.emulator.faultSeed}, EMULATOR_FAULT_SEED replays it)`,
);

const shutdown = (): void => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
