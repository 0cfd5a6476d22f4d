/** The alert evaluation suite on Elasticsearch, on the engine's per-rule paths (elasticsearch-suite.ts). */
import { runElasticsearchAlertSuite } from './elasticsearch-suite.ts';

runElasticsearchAlertSuite(['per-rule']);
