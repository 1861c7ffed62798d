import type { Profile } from '../../../../src-shared/console-api.ts';
import { EmptyState } from '../../components/ui.tsx';
import type { ProfileRow } from './connections-model.ts';
import { ProfileRowView } from './profile-row.tsx';

/** Every saved connection, the active one marked. */
export function ProfilesTable(props: { rows: ProfileRow[]; onSignOut(p: Profile): void; onForget(p: Profile): void }) {
  if (props.rows.length === 0) {
    return (
      <div className="table-wrap connections-table">
        {/* Text only: a second "Add connection" button would make that name ambiguous. */}
        <EmptyState title="No connections yet">Start the bundled server or connect to a Graphistry server with Add connection, above.</EmptyState>
      </div>
    );
  }
  return (
    <div className="table-wrap connections-table">
      <table>
        <caption className="sr-only">Connection profiles</caption>
        <colgroup>
          <col />
          <col />
          <col className="c-user" />
          <col className="c-saved" />
          <col className="c-used" />
          <col className="c-actions" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Address</th>
            <th scope="col">Signed in as</th>
            <th scope="col">Saved sign-in</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <ProfileRowView key={row.profile.id} row={row} onSignOut={() => props.onSignOut(row.profile)} onForget={() => props.onForget(row.profile)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
