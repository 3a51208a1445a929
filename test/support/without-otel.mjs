// Loaded with `node --import`: makes `@opentelemetry/api` unresolvable from tsdspy's own code, as for a user who did
// not install it. (Provider SDKs that depend on it themselves still get it.)
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === '@opentelemetry/api' && /\\/(src|optimizers|modules)\\//.test(context.parentURL ?? '')) {
    throw Object.assign(new Error('Cannot find package @opentelemetry/api'), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}`)}`,
);
