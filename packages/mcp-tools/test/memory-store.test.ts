import { afterEach } from 'vitest';

import { createMemoryStore, type ClaudeToolsStore } from '../src/store/index.js';
import { describeStoreContract } from './store-contract.js';

const opened: ClaudeToolsStore[] = [];

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

describeStoreContract('memory store', () => {
  const store = createMemoryStore();
  opened.push(store);
  return Promise.resolve(store);
});
