import { defineEnvVars } from '@sveltejs/kit/env';

export const variables = defineEnvVars({
  API_URL: {
    description:
      'Base URL of the VS-ALIGN GraphQL API (without /graphql). Read at start, never sent to browsers.',
    schema: (value) => {
      const raw = value?.trim() || 'http://127.0.0.1:4000';
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error(`API_URL must be an http(s) URL such as http://127.0.0.1:4000, got "${raw}"`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new Error(`API_URL must start with http:// or https://, got "${raw}"`);
      }
      return raw.replace(/\/+$/, '');
    },
  },
});
