import 'aws-sdk-client-mock-vitest/extend';
import '../lambdas/adapters/local/polyfill.js';
