/**
 * Prepended to every sandboxed process's source, before any program code runs: replaces the network entry points of
 * Node's built-in modules and the ways to send signals with functions that throw. Defence in depth under the PID and
 * network namespaces, and the only barrier in the opted-in `process-only` mode (see docs/sandbox.md).
 */
export const NETWORK_BLOCK_SOURCE = String.raw`
{
  const denied = (what) => function () { throw Object.assign(new Error('Network access is denied in the tsdspy sandbox (' + what + ')'), { code: 'ERR_SANDBOX_NETWORK' }); };
  const deny = (target, names, what) => {
    for (const name of names) {
      if (!target) continue;
      try { Object.defineProperty(target, name, { value: denied(what + '.' + name), writable: false, configurable: false }); } catch {}
    }
  };
  const get = (name) => (process.getBuiltinModule ? process.getBuiltinModule(name) : undefined);
  // Load every module first: a denial is read-only, and modules that inherit it (https.Agent from http.Agent) must
  // have set their own members before.
  for (const name of ['node:net', 'node:tls', 'node:dgram', 'node:http', 'node:https', 'node:http2', 'node:dns']) get(name);
  const net = get('node:net');
  if (net) {
    deny(net, ['connect', 'createConnection', 'createServer'], 'net');
    deny(net.Socket.prototype, ['connect', '_connect'], 'net.Socket');
    deny(net.Server.prototype, ['listen', '_listen2'], 'net.Server');
  }
  const tls = get('node:tls');
  if (tls) deny(tls, ['connect', 'createServer'], 'tls');
  const dgram = get('node:dgram');
  if (dgram) {
    deny(dgram, ['createSocket'], 'dgram');
    // new dgram.Socket({ lookup }) skips createSocket: its methods are what reach the network.
    deny(dgram.Socket.prototype, ['bind', 'send', 'connect', 'sendto', 'addMembership', 'setBroadcast'], 'dgram.Socket');
  }
  for (const name of ['node:http', 'node:https', 'node:http2']) {
    const module = get(name);
    if (!module) continue;
    deny(module, ['request', 'get', 'connect', 'createServer', 'createSecureServer'].filter((fn) => typeof module[fn] === 'function'), name);
    if (module.Agent) deny(module.Agent.prototype, ['createConnection'], name + '.Agent');
  }
  const dns = get('node:dns');
  if (dns) {
    const lookups = Object.keys(dns).filter((key) => /^(lookup|lookupService|resolve|reverse)/.test(key));
    deny(dns, lookups, 'dns');
    if (dns.promises) deny(dns.promises, Object.keys(dns.promises).filter((key) => /^(lookup|lookupService|resolve|reverse)/.test(key)), 'dns.promises');
    // new dns.Resolver().setServers([...]) reaches any DNS server without lookup(): deny every Resolver method.
    for (const Resolver of [dns.Resolver, dns.promises && dns.promises.Resolver]) {
      if (!Resolver) continue;
      deny(Resolver.prototype, Object.getOwnPropertyNames(Resolver.prototype).filter((key) => key !== 'constructor'), 'dns.Resolver');
    }
  }
  globalThis.fetch = denied('fetch');
  globalThis.WebSocket = undefined;
  // Signals: under a PID namespace no outside process is visible; without one, this is the barrier.
  const noSignals = function () { throw Object.assign(new Error('Sending signals is denied in the tsdspy sandbox'), { code: 'ERR_SANDBOX_SIGNAL' }); };
  Object.defineProperty(process, 'kill', { value: noSignals, writable: false, configurable: false });
  Object.defineProperty(process, '_kill', { value: noSignals, writable: false, configurable: false });
}
`;

/** Inserts the block after the leading `import` lines of an ES module source. */
export function withNetworkBlock(source: string): string {
  return source.replace(/^(\s*import[^\n]*\n)+/, (imports) => `${imports}${NETWORK_BLOCK_SOURCE}\n`);
}
