/** `pnpm bench`: runs every benchmark in turn. */
import { benchApi } from './api.ts';
import { benchEmulator } from './emulator.ts';
import { benchLimits } from './limits.ts';
import { benchStartup } from './startup.ts';
import { benchSubscribers } from './subscribers.ts';
import { benchSync } from './sync.ts';
import { benchUsage } from './usage.ts';

await benchStartup();
await benchEmulator();
await benchApi();
await benchSync();
await benchUsage();
await benchLimits();
await benchSubscribers();
