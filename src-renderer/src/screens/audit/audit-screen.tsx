/** Placeholder until this screen is built. */
export function AuditScreen() {
  return <h1>Audit log</h1>;
}
