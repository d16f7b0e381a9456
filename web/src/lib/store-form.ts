/** The create/edit form of a local store: its state, client checks and where server errors belong. */
import type { ExpirationKind, MetadataEntry, StoreInput } from './graphql/document-types.ts';

export const LIMITS = { name: 256, description: 512, metadataPairs: 16, key: 64, value: 512 } as const;

export interface StoreFormState {
  name: string;
  description: string;
  kind: ExpirationKind;
  /** Kept as typed, so a bad value reaches the API's validation as typed. */
  days: string;
  metadata: MetadataEntry[];
}

export function formState(store?: {
  name: string | null;
  description: string | null;
  expirationPolicy: { kind: ExpirationKind; days: number | null };
  metadata: MetadataEntry[];
}): StoreFormState {
  return {
    name: store?.name ?? '',
    description: store?.description ?? '',
    kind: store?.expirationPolicy.kind ?? 'NEVER',
    days: store?.expirationPolicy.days != null ? String(store.expirationPolicy.days) : '30',
    metadata: store?.metadata.map((entry) => ({ ...entry })) ?? [],
  };
}

/** The mutation input; the API validates it again (and is the one that decides). */
export function toInput(state: StoreFormState): StoreInput {
  const days = Number(state.days.trim());
  return {
    name: state.name.trim(),
    description: state.description.trim() === '' ? null : state.description,
    expirationPolicy:
      state.kind === 'NEVER'
        ? { kind: 'NEVER' }
        : {
            kind: 'AFTER_INACTIVITY',
            days: state.days.trim() === '' || !Number.isFinite(days) ? null : days,
          },
    metadata: state.metadata.filter((entry) => entry.key !== '' || entry.value !== ''),
  };
}

/** Field keys of the form: `name`, `description`, `days`, `metadata`, `metadata.3.key`… */
export type FieldErrors = Record<string, string>;

/** Checks that need no server: they save a round trip, never replace the API's own checks. */
export function checkLocally(state: StoreFormState): FieldErrors {
  const errors: FieldErrors = {};
  if (state.name.trim() === '') errors.name = 'Give the store a name.';
  else if (state.name.trim().length > LIMITS.name) errors.name = `At most ${LIMITS.name} characters.`;
  if (state.description.length > LIMITS.description) {
    errors.description = `At most ${LIMITS.description} characters.`;
  }
  if (state.kind === 'AFTER_INACTIVITY' && state.days.trim() === '')
    errors.days = 'How many days (1 to 365)?';
  return errors;
}

/**
 * Where a ValidationError's `field` belongs on the form: `expirationPolicy.days` → `days`,
 * `metadata.2.key` stays, `input.name` loses its prefix. Unknown fields go to the form as a whole.
 */
export function formField(field: string): string {
  const path = field.replace(/^input\./, '');
  if (path.startsWith('expirationPolicy')) return 'days';
  if (/^metadata\.\d+\.(key|value)$/.test(path)) return path;
  if (path.startsWith('metadata')) return 'metadata';
  if (path === 'name' || path === 'description') return path;
  return 'form';
}
