import { readFileSync } from 'node:fs';
import { AppError } from '../errors.ts';
import type { SsoProvider } from '../../src-shared/sso-schemas.ts';
import type { SsoScope } from '../sso/sso-providers-service.ts';
import { table, type Out } from './output.ts';
import { cliActor, need, usage, withRuntime, type CommandSpec, type Values } from './command-kit.ts';

/**
 * `sso …`: single sign-on IdPs from the command line, site-wide or an
 * organization's (--org), acting as the command line does everywhere
 * (cliActor, audited as cli:<user>@<host>). The client secret is read from a
 * file, never from the command line (it would sit in the shell's history and
 * the process list), and never printed.
 */

const columns = ['name', 'organization', 'template', 'issuer', 'client_id', 'has_client_secret', 'enabled', 'link_verified_email', 'redirect_path'];
const orgOption = { org: { type: 'string' as const, help: 'SLUG of an organization: its IdPs instead of the site-wide ones' } };
const scopeOf = (v: Values): SsoScope => ({ org: typeof v.org === 'string' ? v.org : null });

function secretFrom(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('VALIDATION', `The client secret file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  // One line, as editors and `echo` leave it: the final line break is not part of the secret.
  return text.replace(/\r?\n$/, '');
}

function printProvider(out: Out, p: SsoProvider, lead: string): void {
  out.print(
    p,
    () =>
      `${lead}\n${table([p as unknown as Record<string, unknown>], columns)}\nRegister this redirect URI at the IdP: <this server's address>${p.redirect_path}`,
  );
}

export const SSO_COMMANDS: CommandSpec[] = [
  {
    name: 'sso list',
    summary: 'list single sign-on (OIDC) IdPs, site-wide or an organization’s',
    options: orgOption,
    run: async ({ values: v, positionals, out }) => {
      if (positionals.length) throw usage('sso list takes no arguments');
      return withRuntime(v, async (rt) => {
        const list = await rt.services.ssoProviders.list(cliActor(), scopeOf(v));
        out.print({ results: list }, () => `${table(list as unknown as Array<Record<string, unknown>>, columns)}\n\n${list.length} IdP(s)`);
      });
    },
  },
  {
    name: 'sso add',
    args: 'NAME',
    summary: 'add an IdP (its discovery document is read first); NAME goes into its redirect URI',
    options: {
      ...orgOption,
      issuer: { type: 'string', help: 'the issuer URL, e.g. https://idp.example.com/realms/acme' },
      'client-id': { type: 'string', help: 'the client id registered at the IdP' },
      'client-secret-file': { type: 'string', help: 'a file holding the client secret (never given on the command line)' },
      template: { type: 'string', help: 'okta, auth0, keycloak, entra, adfs or custom (default)' },
      scopes: { type: 'string', help: 'default "openid email profile"' },
      'link-verified-email': { type: 'boolean', help: 'link an existing account whose email the IdP says is verified' },
      disabled: { type: 'boolean', help: 'add it disabled' },
    },
    run: async (ctx) => {
      const [name] = need(ctx, 1, 'NAME');
      const v = ctx.values;
      if (typeof v.issuer !== 'string' || typeof v['client-id'] !== 'string') throw usage('sso add needs --issuer and --client-id');
      const secret = typeof v['client-secret-file'] === 'string' ? secretFrom(v['client-secret-file']) : undefined;
      return withRuntime(v, async (rt) => {
        const p = await rt.services.ssoProviders.add(cliActor(), scopeOf(v), {
          name,
          issuer: v.issuer,
          client_id: v['client-id'],
          ...(secret ? { client_secret: secret } : {}),
          ...(typeof v.template === 'string' ? { template: v.template } : {}),
          ...(typeof v.scopes === 'string' ? { scopes: v.scopes } : {}),
          link_verified_email: Boolean(v['link-verified-email']),
          enabled: !v.disabled,
        });
        printProvider(ctx.out, p, `IdP “${p.name}” added${p.organization ? ` to “${p.organization}”` : ' (site-wide)'}.`);
      });
    },
  },
  {
    name: 'sso test',
    args: 'NAME',
    summary: 'test an IdP: discovery read, its key set fetched, the authorization URL built',
    options: {
      ...orgOption,
      'base-url': { type: 'string', help: "this server's address for the redirect URI (default: PUBLIC_URL, else http://localhost:8000)" },
    },
    run: async (ctx) => {
      const [name] = need(ctx, 1, 'NAME');
      const v = ctx.values;
      return withRuntime(v, async (rt) => {
        const base =
          typeof v['base-url'] === 'string' ? v['base-url'].replace(/\/+$/, '') : (await rt.services.settings.values()).PUBLIC_URL || 'http://localhost:8000';
        const r = await rt.services.ssoProviders.test(cliActor(), scopeOf(v), name!, base);
        ctx.out.print(
          r,
          () =>
            `IdP “${name}” answers: issuer ${r.issuer}, ${r.jwks_keys} key(s) at ${r.jwks_uri}, signing with ${r.signing_algorithms.join(', ')}.\nAuthorization URL: ${r.authorization_url}`,
        );
      });
    },
  },
  {
    name: 'sso remove',
    args: 'NAME',
    summary: 'remove an IdP (its pending sign-ins end; linked identities stay, unlinked from it)',
    options: orgOption,
    run: async (ctx) => {
      const [name] = need(ctx, 1, 'NAME');
      return withRuntime(ctx.values, async (rt) => {
        await rt.services.ssoProviders.remove(cliActor(), scopeOf(ctx.values), name!);
        ctx.out.print({ removed: name }, () => `IdP “${name}” removed.`);
      });
    },
  },
];
