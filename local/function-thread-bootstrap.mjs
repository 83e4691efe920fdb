// Worker threads do not inherit `--import tsx`: register tsx here, then load the function thread.
import { register } from 'tsx/esm/api';

register();
await import('./function-thread.ts');
