/** Placeholder until this screen is built. */
export function SettingsScreen() {
  return <h1>Registration \& settings</h1>;
}
