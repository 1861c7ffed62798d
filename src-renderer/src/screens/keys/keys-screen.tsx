/** Placeholder until this screen is built. */
export function KeysScreen({ userId }: { userId?: number | undefined }) {
  return <h1>API keys {userId ?? ''}</h1>;
}
