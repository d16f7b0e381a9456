import { ApiError, badRequest } from './errors.ts';
import { parseFaults } from './faults.ts';
import type { Emulator } from './http.ts';
import { parseSeedOptions } from './seed.ts';
import {
  expectObject,
  integerInRange,
  numberInRange,
  optionalString,
  rejectUnknownKeys,
  requireKey,
  stringArray,
  type Json,
} from './validation.ts';

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
    case 'POST /__emulator/keys':
      emulator.registerKey(apiKeyOf(body));
      return {};
    case 'POST /__emulator/keys/revoke':
      emulator.revokeKey(apiKeyOf(body));
      return {};
    case 'POST /__emulator/corrupt':
      return corrupt(emulator, body);
    default:
      throw new ApiError(404, `Unknown control endpoint: ${method} ${path}.`);
  }
}

/** `{ "apiKey": "…" }`. */
function apiKeyOf(value: unknown): string {
  const body = expectObject(value, 'keys');
  rejectUnknownKeys(body, ['apiKey']);
  const apiKey = optionalString(requireKey(body, 'apiKey'), 'apiKey')!;
  if (apiKey === '') throw badRequest("'apiKey' must not be empty.", 'apiKey');
  return apiKey;
}

/**
 * `{ "apiKey", "id", "vectorStoreId"?, "set"?: { key: any JSON }, "remove"?: [key] }`: the vector
 * store or File `id` of that key (or, with `vectorStoreId`, that store's file `id`) is answered with
 * these keys set and removed, from now on. An empty patch makes it whole again.
 */
function corrupt(emulator: Emulator, value: unknown): { corrupted: string } {
  const body = expectObject(value, 'corrupt');
  rejectUnknownKeys(body, ['apiKey', 'id', 'vectorStoreId', 'set', 'remove']);
  const apiKey = optionalString(requireKey(body, 'apiKey'), 'apiKey')!;
  const id = optionalString(requireKey(body, 'id'), 'id')!;
  const set = body.set === undefined ? {} : expectObject(body.set, 'set');
  const remove = body.remove === undefined ? [] : stringArray(body.remove, 'remove', 0, 100);
  const vectorStoreId = optionalString(body.vectorStoreId, 'vectorStoreId');
  if (!emulator.corrupt(apiKey, id, { set, remove }, vectorStoreId)) {
    throw new ApiError(404, `No vector store or File '${id}' for this key.`, 'id');
  }
  return { corrupted: id };
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
