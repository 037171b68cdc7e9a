// The marketers' console (campaigns, coupons, reports) comes in a later issue. It is loaded with
// React.lazy so that staff phones never download its code.
import { useSignedInSession } from '../../lib/session.tsx';

export default function ConsolePage() {
  const session = useSignedInSession();
  return (
    <section className="console-page">
      <h1>Console</h1>
      <p>
        Signed in as {session.user.name} ({session.user.role}). The campaign console is coming soon.
      </p>
      <p className="muted">
        The scanner is for store staff accounts: sign in as a staff member on the phone at the till.
      </p>
    </section>
  );
}
