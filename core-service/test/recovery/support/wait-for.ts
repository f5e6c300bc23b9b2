// The shared test helper, under the name these tests import.
export { waitFor } from '../../../src/testing/async.js';
