// Types of fresh-clone.mjs, for the TypeScript test and benchmark that use it.
export const repoRoot: string;
export function freePort(): Promise<number>;
export function cloneAndInstall(mode: number): { dir: string; remove(): void };
export interface RunningProduct {
  ports: { PORT: number; WEB_PORT: number; EMULATOR_PORT: number };
  webUrl: string;
  output(): string;
  ready: Promise<void>;
  token(): string | null;
  keptDatabase(): string | null;
  interrupt(): Promise<number | null>;
  kill(): boolean;
}
export function startProduct(dir: string): Promise<RunningProduct>;
export function waitForStoreList(
  webUrl: string,
  token: string,
  storeName: string,
  timeoutMs?: number,
): Promise<void>;
