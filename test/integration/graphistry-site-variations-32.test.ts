// Admin sites that differ from the reference peer's around the user model, on
// Django 3.2 (test/helpers/site-variations-suite.ts; a file per version so
// that the versions' peers run side by side).
import { djangoRuntime } from '../helpers/django-versions.ts';
import { siteVariationsSuite } from '../helpers/site-variations-suite.ts';

siteVariationsSuite(await djangoRuntime('3.2'));
