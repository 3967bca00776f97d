/**
 * The layering rules (`npm run lint`). Paths are relative to where depcruise runs (the repository root), so
 * that test/fixtures/layering can show each rule failing on a deliberate violation.
 */
const FEATURE_INTERNALS = '^src/([^/]+)/(persistence|stores)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Folders and files depend on each other in one direction only.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'drivers-only-in-database',
      comment: 'Only src/database/ opens connections, so only it loads the database drivers.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/database/' },
      to: { path: 'node_modules/(pg|mysql2|better-sqlite3)/' },
    },
    {
      name: 'data-sdks-only-in-adapters',
      comment: 'kysely, mongoose and the Datastore SDK stay in src/database/ and in adapter folders (persistence/, stores/).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/database/', '^src/[^/]+/(persistence|stores)/'] },
      to: { path: 'node_modules/(kysely|mongoose|@nestjs/mongoose|@google-cloud/datastore)/' },
    },
    {
      name: 'no-other-features-adapters',
      comment: "A feature uses another feature's port, never its persistence/ or stores/ folder.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: FEATURE_INTERNALS, pathNot: ['^src/$1/'] },
    },
    {
      name: 'common-imports-no-feature',
      comment: 'common/ is shared by every feature, so it depends on none (only on config/ and database/).',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: ['^src/(common|config|database)/'] },
    },
    {
      name: 'database-imports-no-feature',
      comment: 'Features register with src/database/; it never reaches into them.',
      severity: 'error',
      from: { path: '^src/database/' },
      to: { path: '^src/', pathNot: ['^src/(common|config|database)/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a port's file must not even name an adapter's types.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
