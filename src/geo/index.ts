export { addressScope } from './address-scope.ts';
export { geoEnricher, type EventEnricher, type GeoDatabases } from './enricher.ts';
export { defaultAsnFiles, defaultCityFiles, openGeoDatabases, openGeoEnricher, type GeoOptions } from './open.ts';
