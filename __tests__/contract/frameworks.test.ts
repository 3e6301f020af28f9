import { PARSED_FIRST_WARNING } from '../../src/node/parsed-first-warning';
import { describeHttpContract } from './http-contract';
import { expressAdapters, fastifyAdapters, honoAdapters, nestAdapters, nextAdapters } from './framework-adapters';

// The contract through every mount the framework guides show (docs/frameworks/*.md). A row a mount
// cannot keep, because the framework answers first, is an asserted exception that says why.

// Mounts behind a body parser warn once per receiver, and each test has a receiver of its own: the
// warning has tests of its own (__tests__/express/pre-parsed-body.test.ts); here it would only be noise.
const emitWarning = process.emitWarning.bind(process);
beforeAll(() => {
  jest.spyOn(process, 'emitWarning').mockImplementation((warning, options?: unknown) => {
    if ((options as { code?: string } | undefined)?.code !== PARSED_FIRST_WARNING) emitWarning(warning, options as string);
  });
});
afterAll(() => {
  jest.restoreAllMocks();
});

for (const adapter of [...nestAdapters, ...fastifyAdapters, ...honoAdapters, ...nextAdapters, ...expressAdapters]) {
  describeHttpContract(adapter);
}
