import { adapters } from './adapters';
import { describeHttpContract } from './http-contract';

// One suite, every adapter: Express 5, Express 4, node:http, and the Fetch handler both called
// directly with Request objects and served through a real server that converts to and from Fetch.
for (const adapter of adapters) describeHttpContract(adapter);
