/** The alert evaluation suite on Elasticsearch, on the engine's shared read (elasticsearch-suite.ts). */
import { runElasticsearchAlertSuite } from './elasticsearch-suite.ts';

runElasticsearchAlertSuite(['shared']);
