// The remote backend against user models and user admins that differ from the
// reference peer's, on Django 4.2 (test/helpers/user-models-suite.ts; a file per
// version so that the versions' peers run side by side).
import { djangoRuntime } from '../helpers/django-versions.ts';
import { userModelsSuite } from '../helpers/user-models-suite.ts';

userModelsSuite(await djangoRuntime('4.2'));
