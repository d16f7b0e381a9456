import type { AttributeFilter, Attributes, ComparisonFilter } from './content.ts';
import { badRequest } from './errors.ts';
import type { SortOrder } from './ordered-collection.ts';
import type { ChunkingStrategy, StoreExpiration } from './state.ts';

/**
 * Request validation as the spec states it, prose limits included. Every refusal is a 400 whose
 * `param` names the offending field (dotted, with [i] for array items) and whose message and code
 * follow OpenAI's wording ("Invalid 'limit': integer below minimum value. ...").
 */

export type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

export function invalidType(param: string, expected: string, value: unknown): Error {
  return badRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`,
    param,
    'invalid_type',
  );
}

export function expectObject(value: unknown, param: string): Json {
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  return value;
}

/** The request schemas are `additionalProperties: false`. */
export function rejectUnknownKeys(body: Json, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw badRequest(
        `Unrecognized request argument supplied: ${prefix}${key}`,
        `${prefix}${key}`,
        'unknown_parameter',
      );
    }
  }
}

export function requireKey(body: Json, key: string, param = key): unknown {
  if (body[key] === undefined) {
    throw badRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  return body[key];
}

export function optionalString(value: unknown, param: string, maxLength = Infinity): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (value.length > maxLength) {
    throw badRequest(
      `Invalid '${param}': string too long. Expected a string with maximum length ${maxLength}, but got a string with length ${value.length} instead.`,
      param,
      'string_above_max_length',
    );
  }
  return value;
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean', value);
  return value;
}

export function integerInRange(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(param, 'an integer', value);
  if (value < min) {
    throw badRequest(
      `Invalid '${param}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      param,
      'integer_below_min_value',
    );
  }
  if (value > max) {
    throw badRequest(
      `Invalid '${param}': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      param,
      'integer_above_max_value',
    );
  }
  return value;
}

export function numberInRange(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, 'a number', value);
  if (value < min || value > max) {
    throw badRequest(
      `Invalid '${param}': expected a number between ${min} and ${max}.`,
      param,
      'invalid_value',
    );
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badRequest(
      `Invalid value for '${param}': expected one of ${allowed.map((v) => `'${v}'`).join(', ')}, but got ${JSON.stringify(value)}.`,
      param,
      'invalid_value',
    );
  }
  return value as T;
}

export function arrayOfLength(value: unknown, param: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  if (value.length < min) {
    throw badRequest(
      `Invalid '${param}': empty array. Expected an array with minimum length ${min}, but got an empty array instead.`,
      param,
      'empty_array',
    );
  }
  if (value.length > max) {
    throw badRequest(
      `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${value.length} instead.`,
      param,
      'array_above_max_length',
    );
  }
  return value;
}

export function stringArray(value: unknown, param: string, min: number, max: number): string[] {
  const items = arrayOfLength(value, param, min, max);
  items.forEach((item, i) => {
    if (typeof item !== 'string') throw invalidType(`${param}[${i}]`, 'a string', item);
  });
  return items as string[];
}

function checkMap(value: Json, param: string, maxValueLength: number): void {
  const keys = Object.keys(value);
  if (keys.length > 16) {
    throw badRequest(
      `Invalid '${param}': too many properties. Expected an object with at most 16 properties, but got an object with ${keys.length} properties instead.`,
      param,
      'object_above_max_properties',
    );
  }
  for (const key of keys) {
    if (key.length > 64) {
      throw badRequest(
        `Invalid '${param}': key too long. Expected keys with maximum length 64, but got a key with length ${key.length} instead.`,
        param,
        'string_above_max_length',
      );
    }
    const item = value[key];
    if (typeof item === 'string' && item.length > maxValueLength) {
      optionalString(item, `${param}.${key}`, maxValueLength);
    }
  }
}

/** `Metadata`: 16 pairs, keys <= 64 chars, string values <= 512 chars (prose in the spec). */
export function parseMetadata(value: unknown, param = 'metadata'): Record<string, string> | null | undefined {
  if (value === undefined || value === null) return value;
  const map = expectObject(value, param);
  for (const [key, item] of Object.entries(map)) {
    if (typeof item !== 'string') throw invalidType(`${param}.${key}`, 'a string', item);
  }
  checkMap(map, param, 512);
  return map as Record<string, string>;
}

/** `VectorStoreFileAttributes`: 16 pairs, keys <= 64, values string (<= 512) | number | boolean. */
export function parseAttributes(value: unknown, param = 'attributes'): Attributes | null | undefined {
  if (value === undefined || value === null) return value;
  const map = expectObject(value, param);
  for (const [key, item] of Object.entries(map)) {
    if (
      typeof item !== 'string' &&
      typeof item !== 'boolean' &&
      !(typeof item === 'number' && Number.isFinite(item))
    ) {
      throw invalidType(`${param}.${key}`, 'a string, number or boolean', item);
    }
  }
  checkMap(map, param, 512);
  return map as Attributes;
}

/** `ChunkingStrategyRequestParam`: auto, or static with 100..4096 tokens and overlap <= half. */
export function parseChunking(value: unknown, param = 'chunking_strategy'): ChunkingStrategy | undefined {
  if (value === undefined) return undefined;
  const strategy = expectObject(value, param);
  const type = oneOf(requireKey(strategy, 'type', `${param}.type`), `${param}.type`, [
    'auto',
    'static',
  ] as const);
  if (type === 'auto') {
    rejectUnknownKeys(strategy, ['type'], `${param}.`);
    return undefined;
  }
  rejectUnknownKeys(strategy, ['type', 'static'], `${param}.`);
  const staticParam = `${param}.static`;
  const settings = expectObject(requireKey(strategy, 'static', staticParam), staticParam);
  rejectUnknownKeys(settings, ['max_chunk_size_tokens', 'chunk_overlap_tokens'], `${staticParam}.`);
  const maxParam = `${staticParam}.max_chunk_size_tokens`;
  const overlapParam = `${staticParam}.chunk_overlap_tokens`;
  const maxTokens = integerInRange(
    requireKey(settings, 'max_chunk_size_tokens', maxParam),
    maxParam,
    100,
    4096,
  );
  const overlap = integerInRange(
    requireKey(settings, 'chunk_overlap_tokens', overlapParam),
    overlapParam,
    0,
    Math.floor(maxTokens / 2),
  );
  return { max_chunk_size_tokens: maxTokens, chunk_overlap_tokens: overlap };
}

/** `VectorStoreExpirationAfter`: anchor `last_active_at`, days 1..365. */
export function parseStoreExpiration(value: unknown, param = 'expires_after'): StoreExpiration {
  const policy = expectObject(value, param);
  rejectUnknownKeys(policy, ['anchor', 'days'], `${param}.`);
  oneOf(requireKey(policy, 'anchor', `${param}.anchor`), `${param}.anchor`, ['last_active_at'] as const);
  const days = integerInRange(requireKey(policy, 'days', `${param}.days`), `${param}.days`, 1, 365);
  return { anchor: 'last_active_at', days };
}

const COMPARISONS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin'] as const;

/** `ComparisonFilter` | `CompoundFilter` (recursive). */
export function parseFilter(value: unknown, param = 'filters'): AttributeFilter {
  const filter = expectObject(value, param);
  const type = oneOf(filter.type ?? 'eq', `${param}.type`, [...COMPARISONS, 'and', 'or'] as const);
  if (type === 'and' || type === 'or') {
    rejectUnknownKeys(filter, ['type', 'filters'], `${param}.`);
    const inner = requireKey(filter, 'filters', `${param}.filters`);
    if (!Array.isArray(inner)) throw invalidType(`${param}.filters`, 'an array', inner);
    return { type, filters: inner.map((item, i) => parseFilter(item, `${param}.filters[${i}]`)) };
  }
  rejectUnknownKeys(filter, ['type', 'key', 'value'], `${param}.`);
  const key = optionalString(requireKey(filter, 'key', `${param}.key`), `${param}.key`)!;
  const operand = requireKey(filter, 'value', `${param}.value`);
  const scalar = (item: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof item);
  const valid = Array.isArray(operand)
    ? operand.every((item) => typeof item === 'string' || typeof item === 'number')
    : scalar(operand);
  if (!valid) throw invalidType(`${param}.value`, 'a string, number, boolean or array', operand);
  return { type, key, value: operand as ComparisonFilter['value'] };
}

// --- list queries -----------------------------------------------------------------------------------

export interface ListQuery {
  limit: number;
  order: SortOrder;
  after: string | undefined;
  before: string | undefined;
}

/** `limit` (prose ranges), `order` (default desc), `after`, `before` (absent on GET /files). */
export function parseListQuery(
  params: URLSearchParams,
  limits: { max: number; default: number; before: boolean },
): ListQuery {
  const rawLimit = params.get('limit');
  let limit = limits.default;
  if (rawLimit !== null) {
    if (!/^-?\d+$/.test(rawLimit)) throw invalidType('limit', 'an integer', rawLimit);
    limit = integerInRange(Number(rawLimit), 'limit', 1, limits.max);
  }
  const rawOrder = params.get('order');
  const order = rawOrder === null ? 'desc' : oneOf(rawOrder, 'order', ['asc', 'desc'] as const);
  return {
    limit,
    order,
    after: params.get('after') ?? undefined,
    before: limits.before ? (params.get('before') ?? undefined) : undefined,
  };
}
