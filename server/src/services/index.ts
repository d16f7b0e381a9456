import type { DataSource } from 'typeorm';
import type { SecretBox } from '../auth/secret-box.ts';
import { AccountService } from './account.service.ts';
import { FileService } from './file.service.ts';
import { VectorStoreService } from './vector-store.service.ts';

/** Every service of the process, built once from its dependencies. */
export interface Services {
  db: DataSource;
  accounts: AccountService;
  files: FileService;
  vectorStores: VectorStoreService;
}

export function createServices(db: DataSource, secrets: SecretBox): Services {
  return {
    db,
    accounts: new AccountService(db, secrets),
    files: new FileService(db),
    vectorStores: new VectorStoreService(db),
  };
}
