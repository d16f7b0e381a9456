/** `pnpm bench`: runs every benchmark in turn. */
import { benchEmulator } from './emulator.ts';

await benchEmulator();
