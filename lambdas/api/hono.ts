/**
 * The `Hono` every route module of the API builds on: the `hono/tiny` preset, whose PatternRouter matches
 * the API's dozen routes by trying one regular expression each. The default preset's SmartRouter bundles
 * the RegExpRouter and the TrieRouter as well and picks one at the first request: 6 KB more of the API
 * Lambda's bundle (docs/benchmarks.md §2) for a speed-up these few routes do not need.
 */
export { Hono } from 'hono/tiny';
