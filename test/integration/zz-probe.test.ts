import { it } from 'vitest';
import { makeTestApp } from '../helpers/app.ts';
it('probe', async () => {
  const t = await makeTestApp('sqlite');
  console.log(t.app.printRoutes({ commonPrefix: false }));
  console.log(t.app.printRoutes({ commonPrefix: false, method: 'POST' }));
  await t.close();
});
