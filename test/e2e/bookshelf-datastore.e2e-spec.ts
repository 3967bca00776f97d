import { describeBookshelf } from './bookshelf-suite';

// One file per backend, so that Jest can run them side by side.
describeBookshelf('datastore');
