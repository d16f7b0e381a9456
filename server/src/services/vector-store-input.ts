import { ValidationError } from './errors.ts';

/** The limits OpenAI documents for vector stores, applied to local stores too. */
export const LIMITS = {
  nameLength: 256,
  descriptionLength: 512,
  metadataPairs: 16,
  metadataKeyLength: 64,
  metadataValueLength: 512,
  expirationDays: { min: 1, max: 365 },
} as const;

export interface ExpirationPolicyInput {
  kind: 'NEVER' | 'AFTER_INACTIVITY';
  days?: number | null;
}

export function validName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new ValidationError(field, 'The name must not be empty');
  if (trimmed.length > LIMITS.nameLength) {
    throw new ValidationError(field, `The name must be at most ${LIMITS.nameLength} characters`);
  }
  return trimmed;
}

export function validDescription(description: string | null, field = 'description'): string | null {
  if (description === null) return null;
  if (description.length > LIMITS.descriptionLength) {
    throw new ValidationError(
      field,
      `The description must be at most ${LIMITS.descriptionLength} characters`,
    );
  }
  return description.trim() || null;
}

export function validMetadata(
  entries: ReadonlyArray<{ key: string; value: string }>,
  field = 'metadata',
): Record<string, string> {
  if (entries.length > LIMITS.metadataPairs) {
    throw new ValidationError(field, `At most ${LIMITS.metadataPairs} metadata pairs are allowed`);
  }
  const metadata: Record<string, string> = {};
  entries.forEach(({ key, value }, i) => {
    if (key.length === 0 || key.length > LIMITS.metadataKeyLength) {
      throw new ValidationError(
        `${field}.${i}.key`,
        `Metadata keys must be 1 to ${LIMITS.metadataKeyLength} characters`,
      );
    }
    if (value.length > LIMITS.metadataValueLength) {
      throw new ValidationError(
        `${field}.${i}.value`,
        `Metadata values must be at most ${LIMITS.metadataValueLength} characters`,
      );
    }
    if (key in metadata) throw new ValidationError(`${field}.${i}.key`, `Duplicate metadata key "${key}"`);
    metadata[key] = value;
  });
  return metadata;
}

/** The policy as the `expiration_days` column holds it: null for NEVER. */
export function validExpirationDays(
  policy: ExpirationPolicyInput,
  field = 'expirationPolicy',
): number | null {
  const { min, max } = LIMITS.expirationDays;
  if (policy.kind === 'NEVER') {
    if (policy.days != null) throw new ValidationError(`${field}.days`, 'A NEVER policy takes no days');
    return null;
  }
  const days = policy.days;
  if (days == null || !Number.isInteger(days) || days < min || days > max) {
    throw new ValidationError(`${field}.days`, `Days must be a whole number from ${min} to ${max}`);
  }
  return days;
}

/** OpenAI's rule, for both kinds: a store expires `days` after it was last active. */
export function computeExpiresAt(expirationDays: number | null, lastActiveAt: Date | null): Date | null {
  if (expirationDays === null || lastActiveAt === null) return null;
  return new Date(lastActiveAt.getTime() + expirationDays * 86_400_000);
}
