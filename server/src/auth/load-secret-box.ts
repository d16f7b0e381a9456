import type { Config } from '../config.ts';
import { loadServerSecret, SecretBox } from './secret-box.ts';

export async function loadSecretBox(config: Config): Promise<SecretBox> {
  return new SecretBox(await loadServerSecret(config.secretKey, config.dataDir));
}
