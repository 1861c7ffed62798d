import { ExistingUserEditor } from './existing-user-editor.tsx';
import { NewUserEditor } from './new-user-editor.tsx';

/** The user editor: "Add user" for `new`, otherwise the user with that id. */
export function UserEditorScreen({ id }: { id: number | 'new' }) {
  return id === 'new' ? <NewUserEditor /> : <ExistingUserEditor id={id} />;
}
