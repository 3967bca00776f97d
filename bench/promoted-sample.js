'use strict';
/**
 * What each request allocates that outlives the young generation, by function (bench/alloc-sample.js, with
 * objects that a scavenge freed left out):
 *   npm run bench -- --scenarios listSignedIn --no-reference --node-options="--require $PWD/bench/promoted-sample.js"
 * Such objects are copied by every scavenge they live through and then fill the old generation, which grows to
 * several times its live size before a full collection: peak RSS.
 */
globalThis.__benchSamplePromoted = true;
require('./alloc-sample.js');
