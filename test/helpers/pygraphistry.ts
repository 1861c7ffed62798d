// Graphistry's own Python client as the tests run it: pygraphistry at the
// commit in test/fixtures/pygraphistry/COMMIT (vendored: PyPI is out of reach
// here and in CI), on Debian's /usr/bin/python3 with its python3-requests,
// numpy, pandas and typing-extensions, and a pyarrow stand-in
// (test/fixtures/pyclient/stubs: register() never uses it). The scripts that
// drive it are in test/fixtures/pyclient.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PYGRAPHISTRY_DIR = join(ROOT, 'test/fixtures/pygraphistry');
const STUBS = join(ROOT, 'test/fixtures/pyclient/stubs');

/** A script of test/fixtures/pyclient (register_org.py, register_sso.py). */
export const pyclientScript = (name: string) => join(ROOT, 'test/fixtures/pyclient', name);

/** Only what the client needs: no user site-packages (a real pyarrow there would hide the stand-in), no bytecode written into the fixture. */
export function pygraphistryEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    PYTHONPATH: `${PYGRAPHISTRY_DIR}:${STUBS}`,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONNOUSERSITE: '1',
    ...extra,
  };
}
