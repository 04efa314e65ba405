// postinstall: builds a pristine embedded-PostgreSQL (PGlite) cluster once, under node_modules/.cache, so the first
// `npm start` copies it instead of running initdb (~10 s of CPU). Best effort: any failure leaves the first start
// to run initdb itself, so this script never fails an install.
try {
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport('../src/store/pglite-cluster.ts', import.meta.url);
  const dir = mod.pgliteTemplateDir();
  const started = Date.now();
  await mod.ensurePgliteCluster(dir, { template: null });
  console.log(`suspensiond: embedded PostgreSQL template ready in ${dir} (${Date.now() - started} ms)`);
} catch (err) {
  console.log(`suspensiond: skipped the embedded PostgreSQL template (${err && err.message ? err.message : err}); the first start will run initdb`);
}
