import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * IdP client secrets at rest: AES-256-GCM under the `.env` key
 * (GRAPHISTRY_ADMIN_SSO_KEY), so a copy of the database alone does not
 * hold them. Stored as `v1.<iv>.<ciphertext>.<tag>` (base64url); the
 * additional data binds a value to its purpose.
 */
const AAD = Buffer.from('graphistry-admin/sso/client-secret/v1');

export function createSecretBox(key: Buffer) {
  if (key.length !== 32) throw new Error('The SSO key must be 32 bytes');
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(AAD);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    /** Throws when the value was sealed under another key (a replaced `.env`) or altered. */
    open(sealed: string): string {
      const [v, iv, body, tag] = sealed.split('.');
      if (v !== 'v1' || !iv || body === undefined || !tag) throw new Error('not a sealed SSO secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(AAD);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;
