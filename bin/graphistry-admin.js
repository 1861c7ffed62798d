#!/usr/bin/env node
// Entry of `npx graphistry-admin`: runs the TypeScript CLI through tsx, so the
// repository needs no build step before use.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-server/cli.ts');
process.exitCode = await main(process.argv.slice(2));
