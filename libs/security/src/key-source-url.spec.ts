import { keySourceUrlProblem } from './key-source-url';

describe('where trusted keys may be fetched from', () => {
  it.each(['https://idp.justice.be/jwks', 'https://10.0.0.5:8443/keys', 'http://127.0.0.1:4000/jwks', 'http://127.8.9.1/jwks', 'http://localhost:8080/jwks', 'http://[::1]:9000/jwks'])(
    'accepts %s',
    (url) => expect(keySourceUrlProblem(url)).toBeUndefined(),
  );

  it.each([
    ['http://idp.justice.be/jwks', /loopback host .* not idp\.justice\.be/],
    ['http://10.0.0.5/jwks', /not 10\.0\.0\.5/],
    ['http://127.0.0.1.evil.example/jwks', /not 127\.0\.0\.1\.evil\.example/],
    ['http://localhost.evil.example/jwks', /not localhost\.evil\.example/],
    ['ftp://idp.justice.be/jwks', /https URL/],
    ['file:///etc/keys.json', /https URL/],
    ['not a url', /https URL/],
    [42, /https URL/],
  ])('refuses %p', (url, problem) => expect(keySourceUrlProblem(url)).toMatch(problem));
});
