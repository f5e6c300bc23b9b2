// The shared test helpers, under the name these tests import.
export { deferred, waitFor } from '../../../src/testing/async.js';
