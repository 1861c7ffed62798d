import { useEffect, useState } from 'react';
import type { CertificateInfo } from '../../../../src-shared/console-api.ts';
import { call } from '../../lib/api.ts';
import { formatDate } from '../../../../src-shared/dates.ts';

const day = (iso: string) => formatDate(iso, { time: false });

/**
 * After a TLS refusal: the certificate the server presents, and, when it is
 * self-signed, the choice to allow exactly that certificate for this
 * connection (its SHA-256 fingerprint is pinned in the profile; nothing
 * changes for any other server). A certificate from an unknown authority is
 * trusted with that authority's file instead.
 */
export function TrustCertificate({ url, busy, onAllow }: { url: string; busy: boolean; onAllow(fingerprint: string): void }) {
  const [cert, setCert] = useState<CertificateInfo | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void call('inspectCertificate', { url }).then((r) => {
      if (!live) return;
      if (r.ok) setCert(r.value);
      else setProblem(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [url]);

  if (problem) return <p className="small muted">{problem}</p>;
  if (!cert || cert.trusted) return null;
  return (
    <section className="banner warn trust-cert" aria-label="The server's certificate">
      <div>
        <strong>
          {cert.self_signed
            ? `${cert.host} presents a self-signed certificate.`
            : `${cert.host} presents a certificate from an authority this computer does not know.`}
        </strong>
        <dl className="cert-facts small">
          <dt>Issued to</dt>
          <dd>{cert.subject}</dd>
          <dt>Issued by</dt>
          <dd>{cert.issuer}</dd>
          <dt>Valid</dt>
          <dd>
            {day(cert.valid_from)} to {day(cert.valid_to)}
          </dd>
          <dt>SHA-256</dt>
          <dd>
            <code className="fingerprint">{cert.fingerprint256}</code>
          </dd>
        </dl>
        {cert.self_signed ? (
          <>
            <p className="small">
              Compare the fingerprint with the one your Graphistry's administrator gives you. Allowing it trusts this certificate for this connection only.
            </p>
            <button type="button" className="secondary" disabled={busy} onClick={() => onAllow(cert.fingerprint256)}>
              Allow this certificate and connect
            </button>
          </>
        ) : (
          <p className="small">Trust its certificate authority instead: give the authority's PEM file under “Admin path and certificate”.</p>
        )}
      </div>
    </section>
  );
}
