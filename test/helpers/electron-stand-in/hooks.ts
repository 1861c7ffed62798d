// Module customization hooks (node:module register(), Node 20 "Customization
// Hooks"), run on Node's hooks thread: the bare specifier `electron` resolves
// to the stand-in instead of node_modules/electron, whose index.js only
// exports the path of a binary this machine does not have.
import type { InitializeHook, ResolveHook } from 'node:module';

export interface HooksData {
  /** file: URL of the built stand-in module (electron.ts bundled). */
  standInUrl: string;
}

let standInUrl = '';

export const initialize: InitializeHook<HooksData> = (data) => {
  standInUrl = data.standInUrl;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (specifier === 'electron') return { url: standInUrl, format: 'module', shortCircuit: true };
  return nextResolve(specifier, context);
};
