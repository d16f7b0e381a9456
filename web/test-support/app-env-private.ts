// `$app/env/private` for unit tests, which run without Kit: the variables as the process has them.
export const API_URL = process.env.API_URL ?? '';
