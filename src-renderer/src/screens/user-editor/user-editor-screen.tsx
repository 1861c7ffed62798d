/** Placeholder until this screen is built. */
export function UserEditorScreen({ id }: { id: number | 'new' }) {
  return <h1>{id === 'new' ? 'Add user' : `User ${id}`}</h1>;
}
