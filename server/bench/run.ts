/** `pnpm bench`: runs every benchmark in turn. */
import { benchApi } from './api.ts';
import { benchEmulator } from './emulator.ts';

await benchEmulator();
await benchApi();
