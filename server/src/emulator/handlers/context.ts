import type { FaultSettings } from '../faults.ts';
import type { Account } from '../state.ts';
import type { Json } from '../validation.ts';

export interface UploadedFile {
  filename: string;
  content: Buffer;
}

/** What a route handler gets: the caller's data, path parameters, query, and parsed body. */
export interface RequestContext {
  account: Account;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  upload?: UploadedFile | undefined;
  /** The behaviours in force (some change answers, not only failures). */
  faults: FaultSettings;
}

/** A handler's answer: a JSON value, JSON already serialized (as text or UTF-8), or raw bytes. */
export type Reply =
  | { json: unknown; headers?: Record<string, string> }
  | { rawJson: string | Buffer }
  | { bytes: Buffer; contentType: string };
