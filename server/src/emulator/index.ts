/** The OpenAI emulator (SPEC §6): vector stores, vector store files, file batches and Files, offline. */
export { createEmulator, startEmulator } from './http.ts';
export type { Emulator, EmulatorOptions, RunningEmulator } from './http.ts';
export type { EmulatorClock, TimeSource } from './clock.ts';
export type { FaultSettings } from './faults.ts';
export type { SeedOptions, SeedResult } from './seed.ts';
export type { Stats } from './stats.ts';
export { seedDemoData } from './demo-seed.ts';
export { matchRoute, ROUTES } from './routes.ts';
