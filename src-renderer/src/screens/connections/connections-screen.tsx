/** Placeholder until this screen is built. */
export function ConnectionsScreen() {
  return <h1>Connections</h1>;
}
