/** Placeholder until this screen is built. */
export function UsersScreen() {
  return <h1>Users</h1>;
}
