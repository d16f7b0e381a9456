/** `pnpm bench`: runs every benchmark in turn. */
import { benchApi } from './api.ts';
import { benchEmulator } from './emulator.ts';
import { benchSubscribers } from './subscribers.ts';
import { benchSync } from './sync.ts';

await benchEmulator();
await benchApi();
await benchSync();
await benchSubscribers();
