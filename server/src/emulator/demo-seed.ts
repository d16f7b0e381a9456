import type { Emulator } from './http.ts';
import type { StoreRecord } from './state.ts';

const DAY = 86_400;

interface DemoStore {
  name: string;
  files: string[];
  metadata?: Record<string, string>;
  /** Days of the expiry policy; with `activeDaysAgo` it sets how soon the store expires. */
  expiresAfterDays?: number;
  activeDaysAgo?: number;
  createdDaysAgo: number;
}

const DEMO_STORES: DemoStore[] = [
  {
    name: 'Support KB',
    createdDaysAgo: 120,
    metadata: { team: 'support' },
    files: [
      'refund-policy.md',
      'shipping-faq.md',
      'warranty-terms.pdf',
      'password-reset.md',
      'escalation-matrix.docx',
      'returns-portal-guide.html',
      'sla-2026.pdf',
      'troubleshooting-wifi.txt',
    ],
  },
  {
    name: 'Contracts 2026',
    createdDaysAgo: 90,
    metadata: { team: 'legal', year: '2026' },
    files: [
      'msa-acme-corp.pdf',
      'dpa-globex.pdf',
      'nda-initech.docx',
      'sow-q1-umbrella.pdf',
      'renewal-hooli.pdf',
      'scanned-signature-page.tiff',
    ],
  },
  {
    name: 'Engineering Handbook',
    createdDaysAgo: 200,
    metadata: { team: 'engineering' },
    files: [
      'onboarding.md',
      'code-review.md',
      'incident-response.md',
      'oncall-rotation.md',
      'architecture-overview.md',
      'deploy.sh',
      'style-guide.md',
      'adr-0007-postgres.md',
      'adr-0012-queues.md',
      'service-catalog.json',
    ],
  },
  {
    name: 'Sales Playbook',
    createdDaysAgo: 60,
    metadata: { team: 'sales' },
    files: ['pricing-2026.pdf', 'objection-handling.md', 'competitor-matrix.pptx', 'discovery-questions.md'],
  },
  {
    name: 'HR Policies',
    createdDaysAgo: 300,
    metadata: { team: 'people' },
    files: [
      'leave-policy.pdf',
      'expense-policy.pdf',
      'remote-work.md',
      'benefits-overview.docx',
      'code-of-conduct.md',
    ],
  },
  {
    name: 'Product Specs',
    createdDaysAgo: 45,
    metadata: { team: 'product' },
    files: [
      'search-v2-prd.md',
      'billing-revamp.md',
      'mobile-offline-mode.md',
      'roadmap-h1.pptx',
      'mockups.sketch',
    ],
  },
  {
    name: 'Hackathon Scratch',
    createdDaysAgo: 9,
    expiresAfterDays: 7,
    activeDaysAgo: 6,
    files: ['ideas.txt', 'demo-script.md', 'team-photo.jpg'],
  },
  {
    name: 'Q3 Board Prep',
    createdDaysAgo: 20,
    expiresAfterDays: 14,
    activeDaysAgo: 12,
    metadata: { confidential: 'true' },
    files: ['board-deck-draft.pptx', 'kpi-summary.md', 'cash-forecast.txt'],
  },
  {
    name: 'Customer Interviews',
    createdDaysAgo: 30,
    expiresAfterDays: 30,
    activeDaysAgo: 3,
    files: ['interview-01.txt', 'interview-02.txt', 'interview-03.txt', 'synthesis.md'],
  },
  {
    name: 'Incident 2026-03 Postmortem',
    createdDaysAgo: 70,
    expiresAfterDays: 30,
    activeDaysAgo: 40,
    files: ['timeline.md', 'grafana-export.json', 'root-cause.md'],
  },
  {
    name: 'Marketing Site Copy',
    createdDaysAgo: 15,
    files: ['homepage.html', 'about-us.md', 'press-kit.zip'],
  },
  {
    name: 'Research Papers',
    createdDaysAgo: 5,
    metadata: { team: 'ml' },
    files: [
      'retrieval-survey.pdf',
      'chunking-experiments.md',
      'eval-results.json',
      'benchmarks.tex',
      'notes.md',
      'reading-list.txt',
    ],
  },
];

const ORPHANS = ['old-price-list.pdf', 'draft-contract-v1.docx', 'meeting-notes-2025-11.md', 'export.csv'];

const TOPICS: Record<string, string> = {
  refund: 'Refunds are issued within 14 days of receiving the returned item.',
  shipping: 'Standard shipping takes 3 to 5 business days; express ships the next day.',
  warranty: 'The warranty covers manufacturing defects for 24 months.',
  password: 'To reset a password, open Settings, choose Security and follow the emailed link.',
  pricing: 'The Team plan costs 20 EUR per seat per month, billed yearly.',
  onboarding: 'New engineers pair with a buddy for their first two weeks.',
  incident: 'Declare an incident in #incidents and page the on-call engineer.',
  contract: 'Either party may terminate with 90 days written notice.',
};

function demoText(filename: string, storeName: string): Buffer {
  const topic = Object.keys(TOPICS).find((key) => filename.includes(key)) ?? 'overview';
  return Buffer.from(
    `# ${filename}\n\nPart of "${storeName}".\n\n${TOPICS[topic] ?? `An overview document about ${filename.replace(/\.[a-z]+$/, '').replaceAll('-', ' ')}.`}\n`,
  );
}

/**
 * Believable demo data for `pnpm start` without an OpenAI key: a dozen stores of mixed sizes, some
 * expiring within days, one already expired, a few failed files (unsupported types) and orphan Files.
 */
export function seedDemoData(emulator: Emulator, apiKey: string): { stores: number; files: number } {
  const account = emulator.account(apiKey);
  const now = emulator.clock.now();
  let files = 0;
  // Oldest first, so that list order (creation order) matches created_at.
  const ordered = [...DEMO_STORES].sort((a, b) => b.createdDaysAgo - a.createdDaysAgo);
  for (const spec of ordered) {
    const createdAt = now - spec.createdDaysAgo * DAY;
    const store: StoreRecord = account.createStore({
      name: spec.name,
      metadata: spec.metadata ?? null,
      createdAt,
    });
    spec.files.forEach((filename, i) => {
      const fileCreatedAt = createdAt + (i + 1) * 60;
      const file = account.createFile({
        filename,
        purpose: 'assistants',
        content: demoText(filename, spec.name),
        createdAt: fileCreatedAt,
      });
      account.attach(store, file, {
        settled: true,
        createdAt: fileCreatedAt,
        attributes: { source: 'demo' },
      });
      files++;
    });
    if (spec.expiresAfterDays !== undefined) {
      store.lastActiveAt = now - (spec.activeDaysAgo ?? 0) * DAY;
      account.setExpiration(store, { anchor: 'last_active_at', days: spec.expiresAfterDays });
    }
  }
  ORPHANS.forEach((filename, i) => {
    account.createFile({
      filename,
      purpose: 'assistants',
      content: demoText(filename, 'no store'),
      createdAt: now - (ORPHANS.length - i) * 3600,
    });
    files++;
  });
  // Applies the expiry of the postmortem store (its policy lapsed 10 days ago).
  account.catchUp();
  return { stores: DEMO_STORES.length, files };
}
