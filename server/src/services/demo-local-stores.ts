import type { CreateVectorStoreInput, LocalStoreWriter } from './local-store-writer.ts';

const LOCAL_DEMO_STORES: CreateVectorStoreInput[] = [
  {
    name: 'Drafts (local)',
    description: 'Documents prepared here before they go to OpenAI',
    expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 30 },
    metadata: [{ key: 'team', value: 'content' }],
  },
  {
    name: 'Onboarding notes',
    description: 'Kept locally, never sent to OpenAI',
    expirationPolicy: { kind: 'NEVER' },
  },
];

/** Local stores for the demo account of a first start on the built-in emulator. */
export async function createLocalDemoStores(writer: LocalStoreWriter, accountId: string): Promise<void> {
  for (const input of LOCAL_DEMO_STORES) await writer.create(accountId, input);
}
