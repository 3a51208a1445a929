/**
 * Prepended to every sandboxed process's source: replaces the network entry points of Node's built-in modules with
 * functions that throw. Defence in depth where the network namespace exists, and the only network barrier where it
 * does not (see docs/sandbox.md for what that weaker mode does not cover).
 */
export const NETWORK_BLOCK_SOURCE = String.raw`
{
  const denied = (what) => () => { throw Object.assign(new Error('Network access is denied in the tsdspy sandbox (' + what + ')'), { code: 'ERR_SANDBOX_NETWORK' }); };
  const get = (name) => (process.getBuiltinModule ? process.getBuiltinModule(name) : undefined);
  const net = get('node:net');
  if (net) {
    net.Socket.prototype.connect = denied('net.connect');
    net.connect = net.createConnection = denied('net.connect');
    net.Server.prototype.listen = denied('net.listen');
  }
  const tls = get('node:tls');
  if (tls) tls.connect = denied('tls.connect');
  const dgram = get('node:dgram');
  if (dgram) dgram.createSocket = denied('dgram.createSocket');
  for (const name of ['node:http', 'node:https', 'node:http2']) {
    const module = get(name);
    if (!module) continue;
    for (const fn of ['request', 'get', 'connect', 'createServer']) if (typeof module[fn] === 'function') module[fn] = denied(name + '.' + fn);
  }
  const dns = get('node:dns');
  if (dns) {
    dns.lookup = dns.resolve = denied('dns');
    if (dns.promises) dns.promises.lookup = dns.promises.resolve = denied('dns');
  }
  globalThis.fetch = denied('fetch');
  globalThis.WebSocket = undefined;
}
`;
