import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; byte counts stay far below 2^53, so numbers are safe. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value == null ? value : Number(value)),
};
