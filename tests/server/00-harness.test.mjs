// The harness itself: the hand-made signatures used by the raw-frame tests agree with the
// reference test vectors (pusher-protocol.md, Appendix A) and with the official SDK. Needs no
// server, so a broken signer is never mistaken for a server bug.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSdk } from '../support/pusher.mjs';
import { channelAuth, hmacHex, httpStringToSign, md5Hex, userAuth } from '../support/sign.mjs';

const APP = { id: '3', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
const FAKE_SERVER = { host: '127.0.0.1', port: 1 };

test('private channel auth matches the documented vector and the SDK', () => {
  const ours = channelAuth(APP, '1234.1234', 'private-foobar');
  assert.deepEqual(ours, {
    auth: '278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
  });
  assert.deepEqual(serverSdk(FAKE_SERVER, APP).authorizeChannel('1234.1234', 'private-foobar'), ours);
});

test('presence channel auth signs socket:channel:channel_data', () => {
  const data = { user_id: 10, user_info: { name: 'Mr. Pusher' } };
  const ours = channelAuth(APP, '1234.1234', 'presence-foobar', data);
  assert.equal(
    ours.auth,
    '278d425bdf160c739803:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c',
  );
  assert.equal(ours.channel_data, '{"user_id":10,"user_info":{"name":"Mr. Pusher"}}');
  assert.deepEqual(serverSdk(FAKE_SERVER, APP).authorizeChannel('1234.1234', 'presence-foobar', data), ours);
});

test('user sign-in signs socket::user::user_data', () => {
  const ours = userAuth(APP, '1234.1234', { id: '12345' });
  assert.deepEqual(ours, {
    auth: '278d425bdf160c739803:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba',
    user_data: '{"id":"12345"}',
  });
  assert.deepEqual(serverSdk(FAKE_SERVER, APP).authenticateUser('1234.1234', { id: '12345' }), ours);
});

test('encrypted channel auth and shared secret', () => {
  assert.equal(
    channelAuth(APP, '1234.1234', 'private-encrypted-test').auth,
    '278d425bdf160c739803:6acb79a37e5accae226d86003eed32535d8c78bcf31c04f719d6b083d1e3c21e',
  );
  const sdkAuth = serverSdk(FAKE_SERVER, APP).authorizeChannel('1234.1234', 'private-encrypted-test');
  assert.equal(sdkAuth.shared_secret, 'O8072myMs5CqUQJYBzwm79ZEBbm1vuswgOfPcFoAG0A=');
});

test('HTTP API signature of the documented trigger example', () => {
  const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
  assert.equal(md5Hex(body), 'ec365a775a4cd0599faeb73354201b6f');
  const toSign = httpStringToSign('POST', '/apps/3/events', {
    auth_version: '1.0',
    body_md5: md5Hex(body),
    auth_timestamp: '1353088179',
    auth_key: APP.key,
  });
  assert.equal(
    toSign,
    'POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f',
  );
  assert.equal(hmacHex(APP.secret, toSign), 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c');
});

test('HTTP API signature of a GET with query parameters', () => {
  const toSign = httpStringToSign('GET', '/apps/3/channels', {
    info: 'user_count',
    filter_by_prefix: 'presence-',
    auth_key: APP.key,
    auth_timestamp: '1353088179',
    auth_version: '1.0',
  });
  assert.equal(hmacHex(APP.secret, toSign), '16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291');
  assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5Hex('{}'), '99914b932bd37a50b983c5e7c90ae93b');
});
