/** Placeholder until this screen is built. */
export function WizardScreen() {
  return <h1>First-run setup</h1>;
}
