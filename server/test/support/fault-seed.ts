import { onTestFailed } from 'vitest';
import type { Emulator } from '../../src/emulator/index.ts';

/**
 * Call inside a test that injects random faults: when it fails, the seed they were drawn from is printed
 * with the command that replays them.
 */
export function reportFaultSeedOnFailure(emulator: Pick<Emulator, 'faultSeed'>): void {
  onTestFailed(() => {
    console.error(
      `Random faults were drawn with seed ${emulator.faultSeed}: replay with EMULATOR_FAULT_SEED=${emulator.faultSeed}`,
    );
  });
}
