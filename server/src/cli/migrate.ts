import { withServices } from './admin-context.ts';

export const summary = 'Apply pending database migrations (the server also does this at start).';
export const usage = 'pnpm cli migrate';

/** Opening the database applies the migrations; there is nothing else to do. */
export async function run(): Promise<number> {
  return withServices(async () => {
    process.stdout.write('The database is migrated.\n');
    return 0;
  });
}
