import { ValidationError } from './errors.ts';

/** The limits OpenAI documents for vector stores, applied to local stores too. */
export const LIMITS = {
  nameLength: 256,
  descriptionLength: 512,
  metadataPairs: 16,
  metadataKeyLength: 64,
  metadataValueLength: 512,
} as const;

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
