/**
 * @module seed/generate-services
 * Generated API products for tests that need many of them (pagination over more than one 500-item page,
 * benchmarks with N products). Products cycle through the three authentication modes and the three
 * credentials locations, so a large catalog still exercises every shape.
 */
import type { BackendVersion, CredentialsLocation, Seed, SeedService } from './seed-types.js';

const VERSIONS: readonly BackendVersion[] = ['1', '2', 'oidc'];
const LOCATIONS: readonly CredentialsLocation[] = ['headers', 'query', 'authorization'];

/**
 * `count` generated products, numbered from `firstNumber` (1-based): system names `generated-0001`, … each
 * with a proxy and one default, published "Basic" plan.
 * @example generatedServices(3).map((s) => s.system_name) // ['generated-0001', 'generated-0002', 'generated-0003']
 */
export function generatedServices(count: number, firstNumber = 1): SeedService[] {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new TypeError(`count must be a non-negative integer, got ${count}`);
  const services: SeedService[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = firstNumber + i;
    const label = String(n).padStart(4, '0');
    const version = VERSIONS[i % VERSIONS.length] as BackendVersion;
    const service: SeedService = {
      name: `Generated Service ${label}`,
      system_name: `generated-${label}`,
      backend_version: version,
      description: `Generated product number ${n}`,
      proxy: {
        credentials_location: LOCATIONS[Math.floor(i / VERSIONS.length) % LOCATIONS.length] as CredentialsLocation,
      },
      plans: [{ name: 'Basic', system_name: 'basic', default: true }],
    };
    if (version === 'oidc') {
      service.proxy = { ...service.proxy, oidc_issuer_endpoint: 'https://keycloak.example.test/realms/mlaas' };
    }
    services.push(service);
  }
  return services;
}

/**
 * A seed with `count` generated products appended to `base`'s own (and `base`'s accounts and applications).
 * @example const fake = createFake3scale({ seed: seedWithServices(1200) });
 */
export function seedWithServices(count: number, base: Seed = {}): Seed {
  const own = base.services ?? [];
  return { ...base, services: [...own, ...generatedServices(count)] };
}
