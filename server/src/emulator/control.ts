import { ApiError, badRequest } from './errors.ts';
import { parseFaults } from './faults.ts';
import type { Emulator } from './http.ts';
import { parseSeedOptions } from './seed.ts';
import { expectObject, integerInRange, numberInRange, rejectUnknownKeys, type Json } from './validation.ts';

/**
 * The control API under /__emulator/ (SPEC §6, fixed: other code and users rely on it). It needs no
 * API key; it is for whoever runs the emulator.
 */
export function handleControl(emulator: Emulator, method: string, path: string, body: Json): unknown {
  switch (`${method} ${path}`) {
    case 'POST /__emulator/reset':
      emulator.reset();
      return {};
    case 'GET /__emulator/faults':
      return emulator.faults();
    case 'POST /__emulator/faults':
      return emulator.setFaults(parseFaults(body));
    case 'GET /__emulator/stats':
      return emulator.stats();
    case 'DELETE /__emulator/stats':
      emulator.resetStats();
      return emulator.stats();
    case 'GET /__emulator/clock':
      return { now: emulator.clock.now() };
    case 'POST /__emulator/clock':
      return { now: moveClock(emulator, body) };
    case 'POST /__emulator/seed':
      return emulator.seed(parseSeedOptions(body));
    default:
      throw new ApiError(404, `Unknown control endpoint: ${method} ${path}.`);
  }
}

/** `{ "advanceSeconds": n }` or `{ "now": unixSeconds }`. */
function moveClock(emulator: Emulator, value: unknown): number {
  const body = expectObject(value, 'clock');
  rejectUnknownKeys(body, ['advanceSeconds', 'now']);
  if ((body.advanceSeconds === undefined) === (body.now === undefined)) {
    throw badRequest("Send exactly one of 'advanceSeconds' and 'now'.", null);
  }
  if (body.now !== undefined) return emulator.clock.set(integerInRange(body.now, 'now', 0, 1e11));
  return emulator.clock.advance(numberInRange(body.advanceSeconds, 'advanceSeconds', -1e10, 1e10));
}
