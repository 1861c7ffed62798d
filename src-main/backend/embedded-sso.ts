import { ssoProviderSchema, ssoTestResultSchema } from '../../src-shared/sso-schemas.ts';
import type { Backend } from '../contracts.ts';
import { newerServerCall, type RequestSpec } from './http-client.ts';
import * as wire from './wire-schemas.ts';

type Call = <T>(spec: Omit<RequestSpec<T>, 'authorization'>) => Promise<T>;
type SsoCalls = Pick<Backend, 'listSsoProviders' | 'addSsoProvider' | 'updateSsoProvider' | 'removeSsoProvider' | 'testSsoProvider'>;

const seg = (v: string) => encodeURIComponent(v);
/** Site-wide IdPs under the admin API (superusers); an organization's under its own routes, where a superuser is let in as its admin. */
const base = (org: string | null) => (org === null ? '/api/v2/admin/sso/providers' : `/api/v2/organizations/${seg(org)}/sso/providers`);
const named = (org: string | null, name: string, rest = '') => `${base(org)}/${seg(name)}${rest}`;

/**
 * The server's single sign-on IdP routes (src-server/sso/sso-routes.ts).
 * A client secret goes out only in an add or a replacement, and is named to
 * the client as a secret, so an error that echoed it would be scrubbed; the
 * answers' schema has no field for it. A server older than single sign-on
 * says so (newerServerCall).
 */
export function ssoCalls(call: Call): SsoCalls {
  const send = <T>(spec: Omit<RequestSpec<T>, 'authorization'>): Promise<T> => newerServerCall('single sign-on', () => call(spec));
  const secrets = (secret: string | null | undefined) => (secret ? [secret] : []);
  return {
    listSsoProviders: (org) => send({ method: 'GET', path: base(org), expect: wire.resultsOf(ssoProviderSchema) }),
    // Bodies rebuilt from the fields the server knows: its schemas are strict.
    addSsoProvider: (org, { name, template, issuer, client_id, client_secret, scopes, enabled, link_verified_email }) =>
      send({
        method: 'POST',
        path: base(org),
        body: { name, template, issuer, client_id, client_secret, scopes, enabled, link_verified_email },
        secrets: secrets(client_secret),
        expect: ssoProviderSchema,
      }),
    updateSsoProvider: (org, name, { template, issuer, client_id, client_secret, scopes, enabled, link_verified_email }) =>
      send({
        method: 'PATCH',
        path: named(org, name),
        body: { template, issuer, client_id, client_secret, scopes, enabled, link_verified_email },
        secrets: secrets(client_secret),
        expect: ssoProviderSchema,
      }),
    removeSsoProvider: async (org, name) => {
      await send({ method: 'DELETE', path: named(org, name), expect: 'empty' });
    },
    testSsoProvider: (org, name) => send({ method: 'POST', path: named(org, name, '/test'), expect: ssoTestResultSchema }),
  };
}
