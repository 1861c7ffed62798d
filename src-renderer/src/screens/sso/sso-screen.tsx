import { NotOffered, useNotOffered } from '../../components/not-offered.tsx';
import { PageHead } from '../../components/ui.tsx';
import { useTitle } from '../../lib/title.ts';
import { SsoProvidersCard } from './sso-providers-card.tsx';

/** Site-wide single sign-on IdPs, or what the server says instead where the console cannot configure them. */
export function SsoScreen() {
  const notOffered = useNotOffered('sso');
  useTitle('Single sign-on');
  return (
    <section className="sso-screen">
      <PageHead title="Single sign-on" subtitle="OpenID Connect IdPs everyone signs in through; an organization’s own IdPs are on its page." />
      {notOffered ? (
        <NotOffered title="Single sign-on is not configured here" sentence={notOffered} />
      ) : (
        <SsoProvidersCard
          org={null}
          title="Site-wide IdPs"
          intro="Each enabled IdP is offered on the server’s sign-in page as “Sign in with <name>”. Register its redirect URI at the IdP, then Test connection."
        />
      )}
    </section>
  );
}
