// Which addresses pass, for every kind and the IPv6 forms that hide an IPv4 address; every address
// of a name judged; a connection pinned to the checked address whatever the name.
import { createServer, get } from 'node:http';

import { describe, expect, it } from 'vitest';

import { addressKind, checkedAddresses, NetGuardError, pinnedLookup } from '../src/index.js';

describe('addressKind', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
    ['127.0.0.1', 'private'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['::1', 'private'],
    ['fd00::1', 'private'],
    ['169.254.169.254', 'reserved'],
    ['0.0.0.0', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['fe80::1%eth0', 'reserved'],
    ['ff02::1', 'reserved'],
    ['::', 'reserved'],
    ['::ffff:127.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'reserved'],
    ['64:ff9b::a9fe:a9fe', 'reserved'],
    ['2002:a9fe:a9fe::1', 'reserved'],
    ['2002:5db8:d822::1', 'public'],
    ['fd00:ec2::254', 'reserved'],
    ['100.100.100.200', 'reserved'],
    ['168.63.129.16', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });
});

describe('checkedAddresses', () => {
  const lookup = (addresses: string[]) => () => Promise.resolve(addresses.map((address) => ({ address })));

  it('passes a name whose every address is public, with each family', async () => {
    expect(await checkedAddresses('hooks.example', { lookup: lookup(['93.184.216.34', '2606:2800:220:1::1']) })).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  it('refuses a name with one private address among public ones, unless private addresses are allowed', async () => {
    const error = (await checkedAddresses('mixed.example', { lookup: lookup(['93.184.216.34', '10.0.0.5']) }).catch((caught: unknown) => caught)) as NetGuardError;
    expect(NetGuardError.isInstance(error)).toBe(true);
    expect({ code: error.code, address: error.address, kind: error.kind, host: error.host }).toEqual({ code: 'NET_GUARD_BLOCKED', address: '10.0.0.5', kind: 'private', host: 'mixed.example' });
    expect(await checkedAddresses('mixed.example', { lookup: lookup(['93.184.216.34', '10.0.0.5']), allowPrivateAddresses: true })).toHaveLength(2);
  });

  it('never passes a reserved address, even with private addresses allowed; nor an IP literal of one', async () => {
    await expect(checkedAddresses('metadata.example', { lookup: lookup(['169.254.169.254']), allowPrivateAddresses: true })).rejects.toMatchObject({ code: 'NET_GUARD_BLOCKED', kind: 'reserved' });
    await expect(checkedAddresses('169.254.169.254', { allowPrivateAddresses: true })).rejects.toMatchObject({ code: 'NET_GUARD_BLOCKED' });
  });

  it('says when a name does not resolve, resolves to nothing or to something that is not an address', async () => {
    await expect(checkedAddresses('nowhere.example', { lookup: () => Promise.reject(new Error('ENOTFOUND')) })).rejects.toMatchObject({ code: 'NET_GUARD_UNRESOLVED' });
    await expect(checkedAddresses('empty.example', { lookup: lookup([]) })).rejects.toMatchObject({ code: 'NET_GUARD_NO_ADDRESS' });
    await expect(checkedAddresses('odd.example', { lookup: lookup(['not-an-ip']) })).rejects.toMatchObject({ code: 'NET_GUARD_NOT_AN_ADDRESS' });
  });

  it('gives up the lookup when the signal aborts', async () => {
    const never = () => new Promise<never>(() => undefined);
    await expect(checkedAddresses('slow.example', { lookup: never, signal: AbortSignal.timeout(50) })).rejects.toThrow();
  });
});

describe('pinnedLookup', () => {
  it('connects to the checked address whatever the name says', async () => {
    const server = createServer((_request, response) => response.end('pinned'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const addresses = await checkedAddresses('127.0.0.1', { allowPrivateAddresses: true });
      const body = await new Promise<string>((resolve, reject) => {
        get({ host: 'receiver.invalid', port, path: '/', lookup: pinnedLookup(addresses), agent: false }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('pinned');
    } finally {
      server.close();
    }
  });
});
