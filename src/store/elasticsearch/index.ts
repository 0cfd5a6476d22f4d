export { ElasticsearchStore, type ElasticsearchStoreOptions, type ClusterCapabilities } from './store.ts';
