import { describe, expect, it } from 'vitest';
import { FaultInjector, faultSeedFromEnvironment, parseFaults } from '../../src/emulator/faults.ts';

const ROUTE = 'GET /v1/vector_stores';
const WEATHER = { errorRates: { '500': 0.2, '429': 0.1 }, resetRate: 0.1, jitterMs: 50 };

/** The faults of 200 requests, as the emulator would decide them. */
function draws(injector: FaultInjector): string[] {
  return Array.from({ length: 200 }, (_, i) => {
    const decision = injector.decide(ROUTE, 'sk-test', i);
    const delay = injector.delayMs(ROUTE).toFixed(6);
    return decision.kind === 'error' ? `${decision.error.status}@${delay}` : `${decision.kind}@${delay}`;
  });
}

function injector(seed: number): FaultInjector {
  const faults = new FaultInjector(seed);
  faults.set(WEATHER);
  return faults;
}

describe('seeded fault injection', () => {
  it('draws the same faults from the same seed, and other faults from another', () => {
    const first = draws(injector(1234));
    expect(draws(injector(1234))).toEqual(first);
    expect(draws(injector(1235))).not.toEqual(first);
    // The weather really is random: several kinds of outcome occur.
    expect(new Set(first.map((draw) => draw.split('@')[0])).size).toBeGreaterThanOrEqual(3);
  });

  it('starts the draws over when the faults change, from the seed given or its own', () => {
    const faults = injector(7);
    const before = draws(faults);
    faults.set(WEATHER);
    expect(draws(faults)).toEqual(before);
    faults.set({ ...WEATHER, seed: 99 });
    expect(draws(faults)).toEqual(draws(injector(99)));
  });

  it('takes its seed from EMULATOR_FAULT_SEED, refusing anything but an unsigned 32-bit integer', () => {
    expect(faultSeedFromEnvironment({ EMULATOR_FAULT_SEED: '42' })).toBe(42);
    expect(Number.isInteger(faultSeedFromEnvironment({}))).toBe(true);
    for (const bad of ['-1', '1.5', 'abc', String(2 ** 32)]) {
      expect(() => faultSeedFromEnvironment({ EMULATOR_FAULT_SEED: bad })).toThrow(/EMULATOR_FAULT_SEED/);
    }
  });

  it('accepts a seed through the control API settings', () => {
    expect(parseFaults({ seed: 5 })).toEqual({ seed: 5 });
    expect(() => parseFaults({ seed: -1 })).toThrow();
  });
});
